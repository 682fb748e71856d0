#include "tapeflow/profiler.h"

#include <atomic>
#include <chrono>
#include <mutex>

namespace tapeflow::profiler {

namespace {

using Clock = std::chrono::steady_clock;

struct Trace {
  std::atomic<bool> active{false};
  Clock::time_point origin;
  std::mutex mutex;
  std::vector<TraceEvent> events;
};

Trace& trace() {
  static Trace t;
  return t;
}

double now_us() {
  return std::chrono::duration<double, std::micro>(Clock::now() - trace().origin).count();
}

uint32_t thread_number() {
  static std::atomic<uint32_t> next{0};
  thread_local const uint32_t number = next++;
  return number;
}

}  // namespace

void start() {
  Trace& t = trace();
  std::lock_guard lock(t.mutex);
  t.events.clear();
  t.origin = Clock::now();
  t.active = true;
}

bool active() { return trace().active.load(std::memory_order_relaxed); }

std::vector<TraceEvent> stop() {
  Trace& t = trace();
  std::lock_guard lock(t.mutex);
  t.active = false;
  return std::move(t.events);
}

Scope::Scope(const char* category, std::string_view name) : recording_(active()), category_(category) {
  if (!recording_) return;
  name_ = name;
  start_us_ = now_us();
}

Scope::~Scope() {
  if (!recording_ || !active()) return;
  const double end = now_us();
  Trace& t = trace();
  std::lock_guard lock(t.mutex);
  t.events.push_back({std::move(name_), category_, start_us_, end - start_us_, thread_number()});
}

}  // namespace tapeflow::profiler
