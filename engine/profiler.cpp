#include "tapeflow/profiler.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>

#include "engine/capture.h"
#include "kernels/cuda_runtime.h"
#include "tapeflow/tensor.h"

namespace tapeflow::profiler {

namespace {

using Clock = std::chrono::steady_clock;

// A span of device time, resolved when the trace stops (reading it earlier would wait for the GPU).
struct GpuSpan {
  std::string name;
  const char* category;
  int device;
  void* start;
  void* end;
};

struct Trace {
  std::atomic<bool> active{false};
  Clock::time_point origin;
  std::mutex mutex;
  std::vector<TraceEvent> events;
  std::vector<GpuSpan> gpu_spans;
  // Per device: an event recorded with the device idle, and the host time of that moment.
  std::map<int, std::pair<void*, double>> gpu_origins;
};

Trace& trace() {
  static Trace t;
  return t;
}

double now_us() { return std::chrono::duration<double, std::micro>(Clock::now() - trace().origin).count(); }

uint32_t thread_number() {
  static std::atomic<uint32_t> next{0};
  thread_local const uint32_t number = next++;
  return number;
}

#ifdef TAPEFLOW_WITH_CUDA
void* gpu_event(int device) { return kernels::cuda::record_timing_event(device); }

// Called with the trace locked. Synchronizing once makes the origin event's GPU time the host's now.
void ensure_gpu_origin(Trace& t, int device) {
  if (t.gpu_origins.count(device)) return;
  kernels::cuda::synchronize(device);
  t.gpu_origins[device] = {kernels::cuda::record_timing_event(device), now_us()};
}

void resolve_gpu_spans(Trace& t) {
  for (const GpuSpan& span : t.gpu_spans) {
    const auto& [origin, origin_us] = t.gpu_origins.at(span.device);
    const double start_us = origin_us + 1e3 * kernels::cuda::elapsed_ms(origin, span.start);
    t.events.push_back({span.name, "gpu", start_us, 1e3 * kernels::cuda::elapsed_ms(span.start, span.end),
                        kGpuThread + static_cast<uint32_t>(span.device), span.category});
    kernels::cuda::destroy_event(span.start);
    kernels::cuda::destroy_event(span.end);
  }
  for (const auto& [device, origin] : t.gpu_origins) kernels::cuda::destroy_event(origin.first);
  t.gpu_spans.clear();
  t.gpu_origins.clear();
}
#else
void* gpu_event(int) { return nullptr; }
void ensure_gpu_origin(Trace&, int) {}
void resolve_gpu_spans(Trace&) {}
#endif

}  // namespace

void start() {
  Trace& t = trace();
  std::lock_guard lock(t.mutex);
  resolve_gpu_spans(t);  // a trace started twice: the first one's spans are dropped
  t.events.clear();
  t.origin = Clock::now();
  t.active = true;
}

bool active() { return trace().active.load(std::memory_order_relaxed); }

std::vector<TraceEvent> stop() {
  Trace& t = trace();
  std::lock_guard lock(t.mutex);
  t.active = false;
  resolve_gpu_spans(t);
  return std::move(t.events);
}

Scope::Scope(const char* category, std::string_view name, Device device)
    : recording_(active()), category_(category), device_(device) {
  if (!recording_) return;
  name_ = name;
  if (device_.is_cuda() && !capture::active()) {  // a graph's events cannot be waited for
    {
      std::lock_guard lock(trace().mutex);
      ensure_gpu_origin(trace(), device_.index);
    }
    gpu_start_ = gpu_event(device_.index);
  }
  start_us_ = now_us();
}

Scope::Scope(const char* category, std::string_view name, const Tensor& on)
    : Scope(category, name, on.defined() ? on.device() : Device::cpu()) {}

Scope::~Scope() {
  if (!recording_) return;
  void* gpu_end = gpu_start_ ? gpu_event(device_.index) : nullptr;
  const double end = now_us();
  Trace& t = trace();
  std::lock_guard lock(t.mutex);
  if (!t.active) {  // the trace stopped meanwhile: this span belongs to no trace
#ifdef TAPEFLOW_WITH_CUDA
    if (gpu_start_) kernels::cuda::destroy_event(gpu_start_), kernels::cuda::destroy_event(gpu_end);
#endif
    return;
  }
  if (gpu_start_) t.gpu_spans.push_back({name_, category_, device_.index, gpu_start_, gpu_end});
  t.events.push_back({std::move(name_), category_, start_us_, end - start_us_, thread_number()});
}

}  // namespace tapeflow::profiler
