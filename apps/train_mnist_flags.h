#pragma once
// train_mnist's command line: the flags and the CLI11 options that fill them, apart from main() so that the
// flag fuzz target (tests/fuzz/) parses exactly what the program parses.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tapeflow/io/idx.h"

namespace CLI {
class App;
}

namespace tapeflow::apps {

struct TrainMnistFlags {
  std::string model = "cnn";
  std::string data = io::kFashionMnistDir;
  int epochs = 5;
  int64_t batch_size = 50;
  double lr = 0.001;
  std::string loop = "fit";
  std::string device = "auto";
  int threads = 0;
  uint64_t seed = 0;
  std::string logdir, ckpt_dir, metrics_json;
  std::vector<std::string> tfrecord;  // train from these files (the notes' TFRecord pipeline)
  bool resume = false;
  bool check_numerics = false;
  bool run_eagerly = false;
};

// The options, their checks and --help text; parsing the returned app fills `flags`, which must outlive it.
std::unique_ptr<CLI::App> train_mnist_command_line(TrainMnistFlags& flags);
// Parses argv into `flags`: nullopt to go on, or the status main() returns (after --help, or a bad flag).
std::optional<int> parse_train_mnist_flags(TrainMnistFlags& flags, int argc, char** argv);

}  // namespace tapeflow::apps
