#include "scratch_file.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace tapeflow::fuzz {

namespace {

// One folder per process (the replay test and fuzz runs may go on side by side), removed at exit.
struct ScratchFolder {
  ScratchFolder() : path(std::filesystem::temp_directory_path() / ("tapeflow-fuzz-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

}  // namespace

std::filesystem::path scratch_file(const std::string& name, std::string_view data) {
  static const ScratchFolder folder;
  const std::filesystem::path path = folder.path / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  // Not a tapeflow::Error: a scratch file that cannot be written is the harness's failure, not the parser's.
  if (!out.flush()) throw std::runtime_error("fuzz: cannot write the scratch file " + path.string());
  return path;
}

}  // namespace tapeflow::fuzz
