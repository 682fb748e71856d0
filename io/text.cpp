#include "tapeflow/io/text.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine/check.h"

namespace tapeflow::io {

namespace {
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  TAPEFLOW_CHECK(in.good(), "text file {}: cannot open", path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  TAPEFLOW_CHECK(!in.bad(), "text file {}: read error", path.string());
  return contents.str();
}
}  // namespace

std::string read_text(const std::filesystem::path& path) {
  TAPEFLOW_CHECK(std::filesystem::exists(path), "text corpus {} does not exist", path.string());
  std::string text;
  if (std::filesystem::is_directory(path)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(path))
      if (entry.is_regular_file() && !entry.is_symlink() && entry.path().extension() != ".dat")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) text += read_file(f);
  } else {
    text = read_file(path);
  }
  TAPEFLOW_CHECK(!text.empty(), "text corpus {} is empty", path.string());
  return text;
}

}  // namespace tapeflow::io
