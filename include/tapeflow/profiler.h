#pragma once
// A trace of what the engine runs: layer calls, every forward and backward op, optimizer updates, and
// for ops on a GPU the time their kernels took on the device (CUDA events on the compute stream). Off
// unless started; then one clock read and one append per span. summary::trace_export writes it as a
// Chrome trace that Perfetto and chrome://tracing open.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tapeflow/device.h"

namespace tapeflow {
class Tensor;
}

namespace tapeflow::profiler {

struct TraceEvent {
  std::string name;      // "dense", "matmul"
  const char* category;  // "layer", "op", "backward", "optimizer"; "gpu" for device time
  double start_us;       // since the trace started
  double duration_us;
  uint32_t thread;       // a small per-thread number; kGpuThread + device index for device time
  const char* queued_by = nullptr;  // "gpu" spans: the category of the scope that queued the work
};

// The trace's "thread" for device time of CUDA device i: kGpuThread + i (its own row in the viewer).
inline constexpr uint32_t kGpuThread = 1000;

void start();
bool active();
// Stops recording and returns the spans recorded since start() (waiting for the GPU's spans).
std::vector<TraceEvent> stop();

// Records the span of its own lifetime while a trace is active; with a CUDA device, also the device
// time of the work queued meanwhile.
class Scope {
 public:
  Scope(const char* category, std::string_view name, Device device = Device::cpu());
  // On the device of `on` (the CPU when `on` is undefined).
  Scope(const char* category, std::string_view name, const Tensor& on);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  bool recording_;
  const char* category_;
  std::string name_;
  double start_us_ = 0;
  Device device_;
  void* gpu_start_ = nullptr;  // a timing event on the device's compute stream
};

}  // namespace tapeflow::profiler
