#pragma once
// TFRecord files: each record is its length (uint64 LE), the length's masked CRC32C, the payload and
// the payload's masked CRC32C. TensorBoard event files are TFRecord files of Event protos.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

#include "tapeflow/io/compression.h"

namespace tapeflow::io {

namespace detail {
class DeflateStream;
}

struct TFRecordWriterOptions {
  Compression compression = Compression::kNone;  // wraps the whole file, as tf.io.TFRecordOptions
  int compression_level = -1;                    // zlib's 0..9; -1 is its default (6)
  size_t buffer_size = 256 << 10;                // the deflater's output buffer, as TensorFlow's
};

class TFRecordWriter {
 public:
  // Creates (truncates) `path`; an Error naming it when it cannot.
  explicit TFRecordWriter(const std::filesystem::path& path, TFRecordWriterOptions options = {});
  ~TFRecordWriter();
  TFRecordWriter(const TFRecordWriter&) = delete;
  TFRecordWriter& operator=(const TFRecordWriter&) = delete;

  void write(std::string_view record);
  // Hands buffered records to the OS (a compressed stream is sync-flushed, so a reader sees them);
  // with `sync`, also to the disk.
  void flush(bool sync = false);
  // Ends the compressed stream, flushes and closes; errors the OS reports late (a full disk) surface
  // here. Idempotent. The destructor closes too, but swallows such errors.
  void close();

  const std::filesystem::path& path() const { return path_; }

 private:
  void put(const void* data, size_t n);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<detail::DeflateStream> deflate_;  // set for ZLIB and GZIP
};

}  // namespace tapeflow::io
