#pragma once
// train_bench's command line: the flags and the CLI11 options that fill them, apart from main() so that the
// flag fuzz target (tests/fuzz/) parses exactly what the program parses.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace tapeflow::bench {

struct TrainBenchFlags {
  std::string model = "mlp";
  std::string device = "cpu";
  int threads = 0;
  std::optional<int64_t> batch_size;  // 50 for training, 1000 with --eval
  double seconds = 5;
  int warmup_steps = 5;
  bool eval = false;
  bool graph = false;
  bool check_numerics = false;
  bool tf32 = false;
  int profile_steps = 0;  // after timing: where these steps' time goes, as a table on stderr
  uint64_t seed = 0;
};

// The options, their checks and --help text; parsing the returned app fills `flags`, which must outlive it.
std::unique_ptr<CLI::App> train_bench_command_line(TrainBenchFlags& flags);
// Parses argv into `flags`: nullopt to go on, or the status main() returns (after --help, or a bad flag).
std::optional<int> parse_train_bench_flags(TrainBenchFlags& flags, int argc, char** argv);

}  // namespace tapeflow::bench
