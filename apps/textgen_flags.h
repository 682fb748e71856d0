#pragma once
// textgen's command line: the flags and the CLI11 options that fill them, apart from main() so that the flag
// fuzz target (tests/fuzz/) parses exactly what the program parses.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tapeflow/io/text.h"

namespace CLI {
class App;
}

namespace tapeflow::apps {

struct TextgenFlags {
  std::string text = io::kFortunesDir;
  int64_t seq_length = 40;
  int64_t batch_size = 50;
  int64_t steps = 1000;
  double lr = 0.001;
  int64_t log_every = 100;
  std::string device = "auto";
  int threads = 0;
  uint64_t seed = 0;
  int64_t sample_length = 400;
  std::string metrics_json, logdir, ckpt_dir;
  int64_t save_every = 100;
  bool resume = false;
  bool check_numerics = false;
  bool sample_only = false;
};

// The options, their checks and --help text; parsing the returned app fills `flags`, which must outlive it.
std::unique_ptr<CLI::App> textgen_command_line(TextgenFlags& flags);
// Parses argv into `flags`: nullopt to go on, or the status main() returns (after --help, or a bad flag).
std::optional<int> parse_textgen_flags(TextgenFlags& flags, int argc, char** argv);

}  // namespace tapeflow::apps
