#pragma once
// A host-side trace of what the engine runs: layer calls, each backward op, optimizer updates. Off
// unless started, and then one clock read and one append per span. summary::trace_export writes it
// as a Chrome trace that Perfetto and chrome://tracing open.
#include <cstdint>
#include <string>
#include <vector>

namespace tapeflow::profiler {

struct TraceEvent {
  std::string name;      // "dense", "matmul"
  const char* category;  // "layer", "backward", "optimizer"
  double start_us;       // since the trace started
  double duration_us;
  uint32_t thread;       // a small per-thread number
};

void start();
bool active();
// Stops recording and returns the spans recorded since start().
std::vector<TraceEvent> stop();

// Records the span of its own lifetime while a trace is active.
class Scope {
 public:
  Scope(const char* category, std::string_view name);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  bool recording_;
  const char* category_;
  std::string name_;
  double start_us_ = 0;
};

}  // namespace tapeflow::profiler
