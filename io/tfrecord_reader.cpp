#include "tapeflow/io/tfrecord_reader.h"

#include <cerrno>
#include <cstring>

#include "engine/check.h"
#include "tapeflow/io/crc32c.h"
#include "zlib_stream.h"

namespace tapeflow::io {

namespace {

constexpr size_t kHeaderSize = 12;  // length (8) + its masked CRC (4)
constexpr size_t kFooterSize = 4;   // the payload's masked CRC
// When the stream's size is unknown (compressed), a payload grows by at most this much per read, so a
// damaged length that passed its CRC by chance costs memory only for bytes that really follow.
constexpr uint64_t kPayloadChunk = 16u << 20;

uint32_t load_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

TFRecordReader::TFRecordReader(const std::filesystem::path& path, TFRecordReaderOptions options)
    : path_(path), options_(options), file_(std::fopen(path.c_str(), "rb")) {
  if (file_ == nullptr) throw Error(fmt::format("cannot open TFRecord file {}: {}", path_.string(), std::strerror(errno)));
  if (options_.compression == Compression::kNone) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path_, ec);
    if (!ec) stream_size_ = size;
    std::setvbuf(file_, nullptr, _IOFBF, std::max<size_t>(options_.buffer_size, 4096));
  } else {
    inflate_ = std::make_unique<detail::InflateStream>(file_, options_.buffer_size);
  }
}

TFRecordReader::~TFRecordReader() {
  inflate_.reset();
  if (file_ != nullptr) std::fclose(file_);
}

size_t TFRecordReader::read(char* data, size_t n) {
  const size_t got = inflate_ ? inflate_->read(data, n) : std::fread(data, 1, n, file_);
  offset_ += got;
  return got;
}

std::optional<std::string> TFRecordReader::damaged_tail(uint64_t record_offset, const std::string& what) {
  done_ = true;
  std::string where = inflate_ ? fmt::format("byte offset {} of the decompressed {} stream", record_offset,
                                             compression_name(options_.compression))
                               : fmt::format("byte offset {}", record_offset);
  if (inflate_ && !inflate_->error().empty()) where += " (" + inflate_->error() + ")";
  if (!options_.skip_corrupt) throw Error(fmt::format("TFRecord file {}: {} at {}", path_.string(), what, where));
  ++corrupt_records_;
  return std::nullopt;
}

bool TFRecordReader::read_payload(std::string& payload, uint64_t length) {
  payload.clear();
  while (payload.size() < length) {
    const uint64_t want = stream_size_ ? length - payload.size() : std::min(length - payload.size(), kPayloadChunk);
    const size_t old_size = payload.size();
    payload.resize(old_size + want);
    const size_t got = read(payload.data() + old_size, want);
    payload.resize(old_size + got);
    if (got < want) return false;
  }
  return true;
}

std::optional<std::string> TFRecordReader::next() {
  while (!done_) {
    const uint64_t start = offset_;
    char header[kHeaderSize];
    const size_t got = read(header, kHeaderSize);
    if (got == 0 && (!inflate_ || inflate_->error().empty())) {
      done_ = true;  // a clean end between records
      return std::nullopt;
    }
    if (got < kHeaderSize)
      return damaged_tail(start, fmt::format("truncated record: header has {} of {} bytes", got, kHeaderSize));
    uint64_t length;
    std::memcpy(&length, header, 8);
    const uint32_t length_crc = crc32c(header, 8);
    if (unmask_crc32c(load_u32(header + 8)) != length_crc)
      return damaged_tail(start, fmt::format("corrupted record: the length field's CRC32C does not match "
                                             "(stored {:#010x}, computed {:#010x} over length {})",
                                             load_u32(header + 8), mask_crc32c(length_crc), length));
    // A verified length can still promise more than the file holds (a cut-off write): never allocate it blindly.
    if (stream_size_) {
      const uint64_t remaining = *stream_size_ > offset_ ? *stream_size_ - offset_ : 0;
      if (remaining < kFooterSize || length > remaining - kFooterSize)
        return damaged_tail(start, fmt::format("truncated record: the header promises {} payload bytes and a {}-byte "
                                               "CRC, but only {} bytes follow",
                                               length, kFooterSize, remaining));
    }
    std::string payload;
    char footer[kFooterSize];
    if (!read_payload(payload, length))
      return damaged_tail(start, fmt::format("truncated record: payload has {} of {} bytes", payload.size(), length));
    if (const size_t n = read(footer, kFooterSize); n < kFooterSize)
      return damaged_tail(start, fmt::format("truncated record: payload CRC has {} of {} bytes", n, kFooterSize));
    const uint32_t data_crc = crc32c(payload.data(), payload.size());
    if (unmask_crc32c(load_u32(footer)) == data_crc) return payload;
    const std::string what = fmt::format("corrupted record: the payload's CRC32C does not match (stored {:#010x}, "
                                         "computed {:#010x} over {} bytes)",
                                         load_u32(footer), mask_crc32c(data_crc), length);
    if (!options_.skip_corrupt) return damaged_tail(start, what);
    ++corrupt_records_;  // the length was sound, so the next record starts right here
  }
  return std::nullopt;
}

}  // namespace tapeflow::io
