#include "tapeflow/train/checkpoint_state.h"

#include <charconv>

#include "engine/check.h"
#include "tapeflow/io/atomic_file.h"

namespace tapeflow::train {

namespace {

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Full double precision; text protos print the shortest round-tripping form, which this matches.
std::string number(double value) { return fmt::format("{}", value); }

class LineParser {
 public:
  LineParser(std::string_view line, const std::string& source, int line_number)
      : line_(line), source_(source), line_number_(line_number) {}

  [[noreturn]] void fail(std::string_view what) const {
    throw Error(fmt::format("checkpoint state file {} line {}: {} in '{}'", source_, line_number_, what, line_));
  }

  std::string unquote(std::string_view value) const {
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') fail("expected a quoted string");
    std::string out;
    for (size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\\') {
        if (i + 2 >= value.size()) fail("dangling escape");
        ++i;
      }
      out += value[i];
    }
    return out;
  }

  double to_double(std::string_view value) const {
    double out = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (error != std::errc() || end != value.data() + value.size()) fail("expected a number");
    return out;
  }

 private:
  std::string_view line_;
  const std::string& source_;
  int line_number_;
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

std::string CheckpointState::to_text() const {
  std::string text = "model_checkpoint_path: " + quote(model_checkpoint_path) + "\n";
  for (const std::string& path : all_model_checkpoint_paths) text += "all_model_checkpoint_paths: " + quote(path) + "\n";
  for (const double t : all_model_checkpoint_timestamps) text += "all_model_checkpoint_timestamps: " + number(t) + "\n";
  text += "last_preserved_timestamp: " + number(last_preserved_timestamp) + "\n";
  return text;
}

CheckpointState parse_checkpoint_state(std::string_view text, const std::string& source) {
  CheckpointState state;
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const LineParser parser(line, source, line_number);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) parser.fail("expected 'field: value'");
    const std::string_view field = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (field == "model_checkpoint_path") {
      state.model_checkpoint_path = parser.unquote(value);
    } else if (field == "all_model_checkpoint_paths") {
      state.all_model_checkpoint_paths.push_back(parser.unquote(value));
    } else if (field == "all_model_checkpoint_timestamps") {
      state.all_model_checkpoint_timestamps.push_back(parser.to_double(value));
    } else if (field == "last_preserved_timestamp") {
      state.last_preserved_timestamp = parser.to_double(value);
    } else {
      parser.fail(fmt::format("unknown field '{}'", field));
    }
  }
  TAPEFLOW_CHECK(!state.model_checkpoint_path.empty(), "checkpoint state file {}: no model_checkpoint_path", source);
  return state;
}

std::optional<CheckpointState> read_checkpoint_state(const std::filesystem::path& directory) {
  const std::filesystem::path path = directory / kCheckpointStateFile;
  if (!std::filesystem::exists(path)) return std::nullopt;
  return parse_checkpoint_state(io::read_file(path), path.string());
}

void write_checkpoint_state(const std::filesystem::path& directory, const CheckpointState& state) {
  io::write_file_atomically(directory / kCheckpointStateFile, state.to_text());
}

}  // namespace tapeflow::train
