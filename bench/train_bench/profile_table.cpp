#include "profile_table.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>

namespace tapeflow::bench {

namespace {

struct Span {
  const profiler::TraceEvent* event;
  size_t recorded;  // its place in the trace: a scope's span follows those of the scopes inside it
  double self_us;
};

// Spans on one row nest (an op's scope inside its layer's): sorted by start, longest first (on a tie, the
// outer scope, recorded last), each span's time is taken out of the innermost span still open when it
// starts. `slack_us`: how far a span may seem to start before the end of the one it follows and still not
// count as nested in it (the timers' resolution).
void subtract_nested(std::vector<Span>& spans, double slack_us) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    if (a.event->thread != b.event->thread) return a.event->thread < b.event->thread;
    if (a.event->start_us != b.event->start_us) return a.event->start_us < b.event->start_us;
    if (a.event->duration_us != b.event->duration_us) return a.event->duration_us > b.event->duration_us;
    return a.recorded > b.recorded;
  });
  std::vector<Span*> open;
  for (Span& span : spans) {
    const profiler::TraceEvent& e = *span.event;
    while (!open.empty() && (open.back()->event->thread != e.thread ||
                             open.back()->event->start_us + open.back()->event->duration_us <= e.start_us + slack_us)) {
      open.pop_back();
    }
    if (!open.empty()) open.back()->self_us -= e.duration_us;
    open.push_back(&span);
  }
}

}  // namespace

std::string profile_table(const std::vector<profiler::TraceEvent>& events, int steps, bool device_rows) {
  std::vector<Span> spans;
  for (size_t i = 0; i < events.size(); ++i) {
    const profiler::TraceEvent& e = events[i];
    if ((std::string_view(e.category) == "gpu") == device_rows) spans.push_back({&e, i, e.duration_us});
  }
  constexpr double kCudaEventResolutionUs = 0.5;
  subtract_nested(spans, device_rows ? kCudaEventResolutionUs : 0.0);

  std::map<std::string, std::pair<double, int64_t>> by_key;  // self microseconds, spans
  double total_us = 0;
  for (const Span& span : spans) {
    const profiler::TraceEvent& e = *span.event;
    const char* category = device_rows && e.queued_by ? e.queued_by : e.category;
    auto& [self_us, count] = by_key[std::string(category) + "\t" + e.name];
    self_us += span.self_us;
    ++count;
    total_us += span.self_us;
  }
  std::vector<std::pair<std::string, std::pair<double, int64_t>>> rows(by_key.begin(), by_key.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });

  std::string table = std::string("| scope | name | ") + (device_rows ? "GPU" : "host") +
                      " µs per step | spans per step | share |\n|---|---|---:|---:|---:|\n";
  char line[256];
  for (const auto& [key, figures] : rows) {
    const size_t tab = key.find('\t');
    std::snprintf(line, sizeof line, "| %s | %s | %.1f | %.1f | %.1f%% |\n", key.substr(0, tab).c_str(),
                  key.substr(tab + 1).c_str(), figures.first / steps, double(figures.second) / steps,
                  total_us > 0 ? 100.0 * figures.first / total_us : 0.0);
    table += line;
  }
  std::snprintf(line, sizeof line, "| total | | %.1f | | |\n", total_us / steps);
  return table + line;
}

}  // namespace tapeflow::bench
