#pragma once
// tfrecord's command line: the subcommands, their flags and the CLI11 options that fill them, apart from main()
// so that the flag fuzz target (tests/fuzz/) parses exactly what the program parses.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace tapeflow::apps {

enum class TfrecordCommand { kWrite, kInspect, kVerify };

struct TfrecordFlags {
  TfrecordCommand command = TfrecordCommand::kVerify;  // set by parsing, which requires exactly one
  std::string compression = "none";                    // as parse_compression takes it
  std::filesystem::path images, out;                   // write
  std::filesystem::path file;                          // inspect, verify
};

// The subcommands, options, their checks and --help text; parsing the returned app fills `flags`, which must
// outlive it.
std::unique_ptr<CLI::App> tfrecord_command_line(TfrecordFlags& flags);
// Parses argv into `flags`: nullopt to go on, or the status main() returns (after --help, or a bad flag).
std::optional<int> parse_tfrecord_flags(TfrecordFlags& flags, int argc, char** argv);

}  // namespace tapeflow::apps
