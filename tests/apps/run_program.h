#pragma once
// Runs one of build/bin's programs as a user would, capturing its exit status and its output (stdout and
// stderr together), for the program tests of this folder.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tapeflow::testing {

struct ProgramRun {
  int status;
  std::string output;
};

inline ProgramRun run_program(const std::string& program, const std::string& args) {
  const std::filesystem::path log =
      std::filesystem::temp_directory_path() / (program + "_test_" + std::to_string(::getpid()) + ".log");
  const int status =
      std::system((std::string(TAPEFLOW_BIN_DIR) + "/" + program + " " + args + " > " + log.string() + " 2>&1").c_str());
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  std::filesystem::remove(log);
  return {WEXITSTATUS(status), text.str()};
}

}  // namespace tapeflow::testing
