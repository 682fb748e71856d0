#pragma once
// Shared by the TFRecord tests: a scratch folder per test, and whole files as bytes.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tapeflow/io/tfrecord_reader.h"
#include "tapeflow/io/tfrecord_writer.h"

namespace tapeflow::testing {

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("tapeflow_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string file_bytes(const std::filesystem::path& path) {
  std::stringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

inline void put_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

inline void write_records(const std::filesystem::path& path, const std::vector<std::string>& records,
                          io::TFRecordWriterOptions options = {}) {
  io::TFRecordWriter writer(path, options);
  for (const auto& r : records) writer.write(r);
  writer.close();
}

inline std::vector<std::string> read_records(const std::filesystem::path& path, io::TFRecordReaderOptions options = {}) {
  io::TFRecordReader reader(path, options);
  std::vector<std::string> out;
  while (auto r = reader.next()) out.push_back(std::move(*r));
  return out;
}

}  // namespace tapeflow::testing
