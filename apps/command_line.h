#pragma once
// CLI11_PARSE as a function, for the flag libraries' parse_*_flags: each program's main() then parses its
// command line without including CLI11, whose header costs ~7 s of compile time in every file that has it.
#include <CLI/CLI.hpp>
#include <optional>

namespace tapeflow::apps {

// Parses argv into `app`'s options: nullopt to go on, or the status main() returns after --help (0, the help
// printed) or a bad flag (CLI11's code for the error, the error printed), as CLI11_PARSE does.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

}  // namespace tapeflow::apps
