#include "tapeflow/io/tfrecord_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/check.h"
#include "tapeflow/io/crc32c.h"
#include "zlib_stream.h"

namespace tapeflow::io {

namespace {

[[noreturn]] void fail(const char* what, const std::filesystem::path& path) {
  throw Error(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno)));
}

}  // namespace

TFRecordWriter::TFRecordWriter(const std::filesystem::path& path, TFRecordWriterOptions options)
    : path_(path), file_(std::fopen(path.c_str(), "wb")) {
  if (file_ == nullptr) fail("create", path_);
  if (options.compression != Compression::kNone) {
    TAPEFLOW_CHECK(options.compression_level >= -1 && options.compression_level <= 9,
                   "TFRecordWriter {}: compression_level must be -1..9, found {}", path_.string(),
                   options.compression_level);
    deflate_ = std::make_unique<detail::DeflateStream>(file_, options.compression, options.compression_level,
                                                       options.buffer_size);
  }
}

TFRecordWriter::~TFRecordWriter() {
  try {
    close();
  } catch (const Error&) {  // a destructor must not throw; close() explicitly to see late errors
  }
}

void TFRecordWriter::put(const void* data, size_t n) {
  const bool ok = deflate_ ? deflate_->write(data, n) : std::fwrite(data, 1, n, file_) == n;
  if (!ok) fail("write", path_);
}

void TFRecordWriter::write(std::string_view record) {
  TAPEFLOW_CHECK(file_ != nullptr, "TFRecordWriter {}: write after close", path_.string());
  char header[12];
  const uint64_t length = record.size();
  std::memcpy(header, &length, 8);
  const uint32_t length_crc = mask_crc32c(crc32c(header, 8));
  std::memcpy(header + 8, &length_crc, 4);
  const uint32_t data_crc = mask_crc32c(crc32c(record.data(), record.size()));
  put(header, sizeof header);
  put(record.data(), record.size());
  put(&data_crc, 4);
}

void TFRecordWriter::flush(bool sync) {
  if (file_ == nullptr) return;
  if (deflate_ && !deflate_->sync_flush()) fail("write", path_);
  if (std::fflush(file_) != 0) fail("write", path_);
  if (sync && ::fsync(::fileno(file_)) != 0) fail("sync", path_);
}

void TFRecordWriter::close() {
  if (file_ == nullptr) return;
  std::FILE* file = file_;
  file_ = nullptr;
  const bool finished = !deflate_ || deflate_->finish();
  deflate_.reset();
  const bool flushed = std::fflush(file) == 0;
  if (std::fclose(file) != 0 || !flushed || !finished) fail("write", path_);
}

}  // namespace tapeflow::io
