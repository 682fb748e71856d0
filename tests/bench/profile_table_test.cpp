// train_bench --profile-steps's table (bench/train_bench/profile_table.cpp): self times of nested spans.
#include "profile_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tapeflow::bench {
namespace {

using profiler::kGpuThread;
using profiler::TraceEvent;

// A device span queued by a scope of `category`, in the order the profiler records them (inner scopes first).
TraceEvent gpu(const char* category, const char* name, double start_us, double duration_us) {
  return {name, "gpu", start_us, duration_us, kGpuThread, category};
}

TEST(ProfileTable, EachSpanKeepsTheTimeItsNestedSpansDidNotTake) {
  const std::vector<TraceEvent> events{
      gpu("op", "matmul", 10, 30),           // inside the layer
      gpu("layer", "dense", 0, 100),         // 100 - 30 of its own
      gpu("op", "add", 99.8, 20),            // after the layer: its start reads early by less than the timers resolve
      gpu("op", "relu", 200, 40),            // an op inside another with the same span: the inner one, recorded
      gpu("backward", "relu", 200, 40),      // first, gets the time
      {"matmul", "op", 0, 999, 0, nullptr},  // a host span: not on the device's rows
  };
  const std::string table = profile_table(events, 2, /*device_rows=*/true);
  EXPECT_NE(table.find("| layer | dense | 35.0 | 0.5 | 43.8% |\n"), std::string::npos) << table;
  EXPECT_NE(table.find("| op | matmul | 15.0 | 0.5 | 18.8% |\n"), std::string::npos) << table;
  EXPECT_NE(table.find("| op | add | 10.0 | 0.5 | 12.5% |\n"), std::string::npos) << table;
  EXPECT_NE(table.find("| op | relu | 20.0 | 0.5 | 25.0% |\n"), std::string::npos) << table;
  EXPECT_NE(table.find("| backward | relu | 0.0 | 0.5 | 0.0% |\n"), std::string::npos) << table;
  EXPECT_NE(table.find("| total | | 80.0 | | |\n"), std::string::npos) << table;
  EXPECT_LT(table.find("| layer | dense |"), table.find("| op | relu |")) << "largest first: " << table;
}

TEST(ProfileTable, HostRowsNestOnTheirOwnThreadWithoutSlack) {
  const std::vector<TraceEvent> events{
      {"matmul", "op", 10, 30, 0, nullptr},
      {"dense", "layer", 0, 40, 0, nullptr},  // its child ends exactly where it does
      {"adam", "optimizer", 5, 10, 1, nullptr},  // another thread: nested in nothing
      gpu("op", "matmul", 0, 1000),
  };
  const std::string table = profile_table(events, 1, /*device_rows=*/false);
  EXPECT_NE(table.find("| layer | dense | 10.0 | 1.0 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| op | matmul | 30.0 | 1.0 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| optimizer | adam | 10.0 | 1.0 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| total | | 50.0 | | |"), std::string::npos) << table;
}

}  // namespace
}  // namespace tapeflow::bench
