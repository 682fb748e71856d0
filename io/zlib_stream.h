#pragma once
// zlib's deflate and inflate over a stdio FILE, for TFRecord files whose whole byte stream is compressed
// (FORMATS.md section 1). Internal to io/.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tapeflow/io/compression.h"

namespace tapeflow::io::detail {

// Deflates everything written into `file` as one ZLIB (RFC 1950) or GZIP (RFC 1952) stream.
class DeflateStream {
 public:
  DeflateStream(std::FILE* file, Compression compression, int level, size_t buffer_size);
  ~DeflateStream();
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  // Each returns false when the file refuses bytes (errno says why).
  bool write(const void* data, size_t n);
  bool sync_flush();  // everything written so far becomes decodable (Z_SYNC_FLUSH)
  bool finish();      // ends the stream (trailer with the checksum); nothing may follow

 private:
  bool drain(int flush);
  std::FILE* file_;
  z_stream zs_{};
  std::vector<unsigned char> out_;
};

// Inflates a ZLIB or GZIP stream (either; zlib tells them apart) read from `file`. Concatenated gzip
// members are read as one stream, as gzip(1) does.
class InflateStream {
 public:
  InflateStream(std::FILE* file, size_t buffer_size);
  ~InflateStream();
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  // Up to n decompressed bytes; fewer only at the end of the stream. A damaged or cut-off stream sets
  // error() and ends it.
  size_t read(void* data, size_t n);
  const std::string& error() const { return error_; }

 private:
  bool refill();
  std::FILE* file_;
  z_stream zs_{};
  std::vector<unsigned char> in_;
  uint64_t compressed_consumed_ = 0;  // compressed bytes handed to inflate, for error messages
  bool stream_ended_ = false;         // Z_STREAM_END seen for the current member
  bool done_ = false;
  std::string error_;
};

}  // namespace tapeflow::io::detail
