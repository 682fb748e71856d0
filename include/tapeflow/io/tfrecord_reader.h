#pragma once
// Reads TFRecord files (FORMATS.md section 1), checking the length's and the payload's CRC32C on every
// record. Byte offsets in errors count from the start of the record stream: the file itself when it is
// uncompressed, the decompressed stream when it is ZLIB or GZIP.
//
// What skip_corrupt skips (TFRecord has no sync markers, so a reader cannot in general find the next
// record after damage):
//  - a payload whose CRC does not match, under a length whose CRC does: exactly that record; reading
//    goes on with the next one;
//  - a length whose CRC does not match, a record cut off by the end of the file, or a damaged compressed
//    stream: everything from there to the end of the file, counted as one corrupt record.
// Without skip_corrupt each of these is an Error naming the file and the record's byte offset.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "tapeflow/io/compression.h"

namespace tapeflow::io {

namespace detail {
class InflateStream;
}

struct TFRecordReaderOptions {
  Compression compression = Compression::kNone;  // never detected: readers are told, as in TensorFlow
  bool skip_corrupt = false;
  size_t buffer_size = 256 << 10;  // read buffer (compressed bytes for ZLIB/GZIP)
};

class TFRecordReader {
 public:
  // Opens `path`; an Error naming it when it cannot.
  explicit TFRecordReader(const std::filesystem::path& path, TFRecordReaderOptions options = {});
  ~TFRecordReader();
  TFRecordReader(const TFRecordReader&) = delete;
  TFRecordReader& operator=(const TFRecordReader&) = delete;

  // The next record's payload; nullopt at the end of the file.
  std::optional<std::string> next();

  // Records (or file tails, see above) skipped so far with skip_corrupt.
  int64_t corrupt_records() const { return corrupt_records_; }
  // Where the next record starts in the record stream.
  uint64_t offset() const { return offset_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  size_t read(char* data, size_t n);  // up to n bytes of the record stream; fewer only at its end
  bool read_payload(std::string& payload, uint64_t length);
  // Ends reading (skip_corrupt) or throws; `what` says what is wrong with the record at `record_offset`.
  std::optional<std::string> damaged_tail(uint64_t record_offset, const std::string& what);

  std::filesystem::path path_;
  TFRecordReaderOptions options_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<detail::InflateStream> inflate_;
  std::optional<uint64_t> stream_size_;  // known for uncompressed files
  uint64_t offset_ = 0;
  int64_t corrupt_records_ = 0;
  bool done_ = false;
};

}  // namespace tapeflow::io
