// tf.summary.trace_on / trace_export over the engine's profiler, written as Chrome trace JSON.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "engine/check.h"
#include "tapeflow/io/atomic_file.h"
#include "tapeflow/profiler.h"
#include "tapeflow/summary/summary.h"

namespace tapeflow::summary {

namespace {

std::string chrome_trace_json(const std::vector<profiler::TraceEvent>& events) {
  nlohmann::json trace_events = nlohmann::json::array();
  trace_events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "tapeflow"}}}});
  for (const profiler::TraceEvent& e : events)
    trace_events.push_back({{"name", e.name},
                            {"cat", e.category},
                            {"ph", "X"},
                            {"ts", e.start_us},
                            {"dur", e.duration_us},
                            {"pid", 1},
                            {"tid", e.thread}});
  return nlohmann::json{{"traceEvents", trace_events}, {"displayTimeUnit", "ms"}}.dump();
}

// TF's profile plugin layout: one folder per trace, named by the time it was taken.
std::filesystem::path trace_folder(const std::filesystem::path& profiler_outdir) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y_%m_%d_%H_%M_%S", &utc);
  return profiler_outdir / "plugins" / "profile" / stamp;
}

}  // namespace

void trace_on(bool /*profiler*/) { profiler::start(); }

std::filesystem::path trace_export(const std::string& name, int64_t step, const std::filesystem::path& profiler_outdir) {
  TAPEFLOW_CHECK(profiler::active(), "trace_export('{}'): no trace is running (call trace_on first)", name);
  const std::vector<profiler::TraceEvent> events = profiler::stop();
  const std::filesystem::path folder = trace_folder(profiler_outdir);
  io::create_directories(folder, "trace_export");
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::filesystem::path file = folder / (std::string(host[0] ? host : "localhost") + ".trace.json");
  io::write_file_atomically(file, chrome_trace_json(events));
  text(name, fmt::format("Trace of {} spans: `{}` (open it in ui.perfetto.dev or chrome://tracing)", events.size(),
                         file.string()),
       step);
  return file;
}

}  // namespace tapeflow::summary
