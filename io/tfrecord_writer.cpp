#include "tapeflow/io/tfrecord_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/check.h"
#include "tapeflow/io/crc32c.h"

namespace tapeflow::io {

namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path) {
  throw Error(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno)));
}

}  // namespace

TFRecordWriter::TFRecordWriter(const std::filesystem::path& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
  if (file_ == nullptr) fail("create", path_);
}

TFRecordWriter::~TFRecordWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void TFRecordWriter::write(std::string_view record) {
  TAPEFLOW_CHECK(file_ != nullptr, "TFRecordWriter {}: write after close", path_.string());
  char header[12];
  const uint64_t length = record.size();
  std::memcpy(header, &length, 8);
  const uint32_t length_crc = mask_crc32c(crc32c(header, 8));
  std::memcpy(header + 8, &length_crc, 4);
  const uint32_t data_crc = mask_crc32c(crc32c(record.data(), record.size()));
  if (std::fwrite(header, 1, sizeof header, file_) != sizeof header ||
      std::fwrite(record.data(), 1, record.size(), file_) != record.size() ||
      std::fwrite(&data_crc, 1, 4, file_) != 4)
    fail("write", path_);
}

void TFRecordWriter::flush(bool sync) {
  if (file_ == nullptr) return;
  if (std::fflush(file_) != 0) fail("write", path_);
  if (sync && ::fsync(::fileno(file_)) != 0) fail("sync", path_);
}

void TFRecordWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* file = file_;
  file_ = nullptr;
  const bool flushed = std::fflush(file) == 0;
  if (std::fclose(file) != 0 || !flushed) fail("write", path_);
}

}  // namespace tapeflow::io
