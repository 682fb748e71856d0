#pragma once
// export_images' command line: the flags and the CLI11 options that fill them, apart from main() so that the
// flag fuzz target (tests/fuzz/) parses exactly what the program parses.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "tapeflow/io/idx.h"

namespace CLI {
class App;
}

namespace tapeflow::apps {

struct ExportImagesFlags {
  std::filesystem::path data = io::kFashionMnistDir;
  std::filesystem::path out;
  std::string split = "train";
  int64_t limit = 0;  // 0: all
  std::string format = "jpeg";
  int quality = 95;
};

// The options, their checks and --help text; parsing the returned app fills `flags`, which must outlive it.
std::unique_ptr<CLI::App> export_images_command_line(ExportImagesFlags& flags);
// Parses argv into `flags`: nullopt to go on, or the status main() returns (after --help, or a bad flag).
std::optional<int> parse_export_images_flags(ExportImagesFlags& flags, int argc, char** argv);

}  // namespace tapeflow::apps
