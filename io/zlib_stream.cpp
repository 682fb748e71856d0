#include "zlib_stream.h"

#include <fmt/format.h>

#include "tapeflow/error.h"

namespace tapeflow::io::detail {

namespace {

// windowBits: 15 is zlib's 32 KiB window with the RFC 1950 wrapper; +16 asks for the gzip wrapper,
// +32 (inflate only) detects either.
constexpr int kWindowBits = 15;

}  // namespace

DeflateStream::DeflateStream(std::FILE* file, Compression compression, int level, size_t buffer_size)
    : file_(file), out_(std::max<size_t>(buffer_size, 4096)) {
  const int window_bits = compression == Compression::kGzip ? kWindowBits + 16 : kWindowBits;
  // mem_level 9 and the default strategy, as TensorFlow's ZlibCompressionOptions.
  if (deflateInit2(&zs_, level, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(fmt::format("zlib: cannot start a {} stream at level {}", compression_name(compression), level));
}

DeflateStream::~DeflateStream() { deflateEnd(&zs_); }

bool DeflateStream::drain(int flush) {
  int status = Z_OK;
  do {
    zs_.next_out = out_.data();
    zs_.avail_out = static_cast<uInt>(out_.size());
    status = deflate(&zs_, flush);
    const size_t produced = out_.size() - zs_.avail_out;
    if (produced > 0 && std::fwrite(out_.data(), 1, produced, file_) != produced) return false;
  } while (zs_.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  return true;
}

bool DeflateStream::write(const void* data, size_t n) {
  auto* bytes = static_cast<const unsigned char*>(data);
  while (n > 0) {  // avail_in is 32-bit: feed huge records in pieces
    const size_t piece = std::min<size_t>(n, 1u << 30);
    zs_.next_in = const_cast<unsigned char*>(bytes);
    zs_.avail_in = static_cast<uInt>(piece);
    if (!drain(Z_NO_FLUSH)) return false;
    bytes += piece;
    n -= piece;
  }
  return true;
}

bool DeflateStream::sync_flush() { return drain(Z_SYNC_FLUSH); }

bool DeflateStream::finish() { return drain(Z_FINISH); }

InflateStream::InflateStream(std::FILE* file, size_t buffer_size) : file_(file), in_(std::max<size_t>(buffer_size, 4096)) {
  if (inflateInit2(&zs_, kWindowBits + 32) != Z_OK) throw Error("zlib: cannot start inflating");
}

InflateStream::~InflateStream() { inflateEnd(&zs_); }

bool InflateStream::refill() {
  const size_t got = std::fread(in_.data(), 1, in_.size(), file_);
  zs_.next_in = in_.data();
  zs_.avail_in = static_cast<uInt>(got);
  return got > 0;
}

size_t InflateStream::read(void* data, size_t n) {
  auto* out = static_cast<unsigned char*>(data);
  size_t produced = 0;
  while (produced < n && !done_) {
    if (zs_.avail_in == 0 && !refill()) {
      // End of the file: clean only right after a member's end.
      if (!stream_ended_)
        error_ = fmt::format("the compressed stream is cut off after {} compressed bytes", compressed_consumed_);
      done_ = true;
      break;
    }
    if (stream_ended_) {  // more bytes after a finished gzip member: the next member
      inflateReset(&zs_);
      stream_ended_ = false;
    }
    const size_t piece = std::min<size_t>(n - produced, 1u << 30);
    zs_.next_out = out + produced;
    zs_.avail_out = static_cast<uInt>(piece);
    const uInt avail_in_before = zs_.avail_in;
    const int status = inflate(&zs_, Z_NO_FLUSH);
    compressed_consumed_ += avail_in_before - zs_.avail_in;
    produced += piece - zs_.avail_out;
    if (status == Z_STREAM_END) {
      stream_ended_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      error_ = fmt::format("the compressed stream is damaged near compressed byte {}: {}", compressed_consumed_,
                           zs_.msg != nullptr ? zs_.msg : "zlib error");
      done_ = true;
    }
  }
  return produced;
}

}  // namespace tapeflow::io::detail
