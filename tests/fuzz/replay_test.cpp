// Replays every seed (tests/fuzz/corpus/<target>/) and every past finding (tests/fuzz/regressions/<target>/)
// through the fuzz targets' own entry functions: each input must be accepted or rejected with a
// tapeflow::Error that says something. A crash, a sanitizer report or another exception fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_entries.h"
#include "tapeflow/error.h"

namespace fs = std::filesystem;

namespace tapeflow::fuzz {
// gtest prints a parameter it cannot print as its bytes (pointers here), which would change the test names
// ctest lists from one build to the next.
void PrintTo(const Target& target, std::ostream* out) { *out << target.name; }
}  // namespace tapeflow::fuzz

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The files under `folder`/<target>; none when the folder is absent.
std::vector<fs::path> inputs(const std::string& folder, const std::string& target) {
  const fs::path dir = fs::path(TAPEFLOW_FUZZ_DIR) / folder / target;
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzReplay : public ::testing::TestWithParam<tapeflow::fuzz::Target> {};

TEST_P(FuzzReplay, EveryInputParsesOrIsRejectedWithAnError) {
  const tapeflow::fuzz::Target& target = GetParam();
  const std::vector<fs::path> seeds = inputs("corpus", target.name);
  EXPECT_FALSE(seeds.empty()) << "no seed corpus for fuzz target " << target.name;
  std::vector<fs::path> all = seeds;
  for (const fs::path& finding : inputs("regressions", target.name)) all.push_back(finding);
  for (const fs::path& input : all) {
    SCOPED_TRACE(input.string());
    // Each outcome is printed, so the log shows which seeds still parse and what the broken ones get told.
    try {
      target.entry(read_bytes(input));
      std::cout << input.filename().string() << ": accepted\n";
    } catch (const tapeflow::Error& e) {
      std::cout << input.filename().string() << ": rejected: " << e.what() << "\n";
      EXPECT_STRNE(e.what(), "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(tapeflow::fuzz::targets()),
                         [](const auto& test_case) { return std::string(test_case.param.name); });

}  // namespace
