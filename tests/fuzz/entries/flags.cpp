#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "export_images_flags.h"
#include "fuzz_entries.h"
#include "tapeflow/device.h"
#include "tapeflow/error.h"
#include "tapeflow/io/compression.h"
#include "textgen_flags.h"
#include "tfrecord_flags.h"
#include "train_bench_flags.h"
#include "train_mnist_flags.h"

namespace tapeflow::fuzz {

namespace {

using Arguments = std::vector<std::string>;

// Parses `args` with a program's command line as its main() does, then hands the flags to `check_values`,
// which parses what main() parses further (a device, a compression name).
template <class Flags, class CheckValues>
void parse(const std::string& program, std::unique_ptr<CLI::App> (*command_line)(Flags&), Arguments args,
           CheckValues check_values) {
  Flags flags;
  const std::unique_ptr<CLI::App> app = command_line(flags);
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app->parse(std::move(args));
  } catch (const CLI::ParseError& e) {  // what main() prints with the usage (--help included)
    throw Error(fmt::format("{}: {}", program, e.what()));
  }
  check_values(flags);
}

using Program = void (*)(const std::string& program, Arguments args);

const std::map<std::string, Program, std::less<>>& programs() {
  static const std::map<std::string, Program, std::less<>> all = {
      {"train_mnist",
       [](const std::string& p, Arguments a) {
         parse(p, apps::train_mnist_command_line, std::move(a),
               [](const apps::TrainMnistFlags& f) { parse_device(f.device); });
       }},
      {"textgen",
       [](const std::string& p, Arguments a) {
         parse(p, apps::textgen_command_line, std::move(a),
               [](const apps::TextgenFlags& f) { parse_device(f.device); });
       }},
      {"tfrecord",
       [](const std::string& p, Arguments a) {
         parse(p, apps::tfrecord_command_line, std::move(a),
               [](const apps::TfrecordFlags& f) { io::parse_compression(f.compression); });
       }},
      {"export_images",
       [](const std::string& p, Arguments a) {
         parse(p, apps::export_images_command_line, std::move(a), [](const apps::ExportImagesFlags&) {});
       }},
      {"train_bench",
       [](const std::string& p, Arguments a) {
         parse(p, bench::train_bench_command_line, std::move(a), [](const bench::TrainBenchFlags&) {});
       }},
  };
  return all;
}

}  // namespace

// The input is lines: the program's name, then one argument per line (so the corpus reads like a command;
// a final newline ends the last line rather than adding an empty argument).
void flags(std::string_view data) {
  if (data.ends_with('\n')) data.remove_suffix(1);
  Arguments lines;
  for (size_t start = 0; start <= data.size();) {
    const size_t end = std::min(data.find('\n', start), data.size());
    lines.emplace_back(data.substr(start, end - start));
    start = end + 1;
  }
  const auto program = programs().find(lines.front());
  if (program == programs().end())
    throw Error(fmt::format("flags: expected a program's name on the first line, found '{}'", lines.front()));
  program->second(program->first, Arguments(lines.begin() + 1, lines.end()));
}

}  // namespace tapeflow::fuzz
