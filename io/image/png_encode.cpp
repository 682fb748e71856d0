// encode_png: 8-bit PNG written with zlib directly (one IDAT, filter 0 rows, no interlacing).
#include "tapeflow/io/image.h"

#include <zlib.h>

#include <array>

#include "engine/check.h"
#include "image_checks.h"

namespace tapeflow::io {

namespace {

void append_u32_be(std::string& out, uint32_t v) {
  const std::array<char, 4> bytes = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                                     static_cast<char>(v)};
  out.append(bytes.data(), bytes.size());
}

// length, type, data, CRC-32 of type and data.
void append_chunk(std::string& png, const char (&type)[5], const std::string& data) {
  append_u32_be(png, static_cast<uint32_t>(data.size()));
  const size_t type_at = png.size();
  png.append(type, 4);
  png += data;
  const auto* crc_from = reinterpret_cast<const Bytef*>(png.data() + type_at);
  append_u32_be(png, static_cast<uint32_t>(crc32(0, crc_from, static_cast<uInt>(4 + data.size()))));
}

}  // namespace

std::string encode_png(const Tensor& image) {
  const Tensor pixels = detail::checked_encoder_input("encode_png", image, {1, 2, 3, 4});
  const int64_t height = pixels.shape()[0], width = pixels.shape()[1], channels = pixels.shape()[2];
  const auto* data = pixels.data<uint8_t>();

  // Each row: filter type 0 (none), then the row's bytes.
  const size_t row_bytes = static_cast<size_t>(width * channels);
  std::string raw;
  raw.reserve(static_cast<size_t>(height) * (row_bytes + 1));
  for (int64_t y = 0; y < height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(data + y * static_cast<int64_t>(row_bytes)), row_bytes);
  }
  uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressed_size, '\0');
  TAPEFLOW_CHECK(compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size,
                           reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                           Z_DEFAULT_COMPRESSION) == Z_OK,
                 "encode_png: zlib compression failed");
  compressed.resize(compressed_size);

  constexpr std::array<uint8_t, 5> kColorType = {0, 0, 4, 2, 6};  // by channel count: gray, gray+alpha, RGB, RGBA
  std::string header;
  append_u32_be(header, static_cast<uint32_t>(width));
  append_u32_be(header, static_cast<uint32_t>(height));
  header += static_cast<char>(8);  // bit depth
  header += static_cast<char>(kColorType[static_cast<size_t>(channels)]);
  header.append(3, '\0');  // deflate, adaptive filtering, no interlace

  std::string png("\x89PNG\r\n\x1a\n", 8);
  append_chunk(png, "IHDR", header);
  append_chunk(png, "IDAT", compressed);
  append_chunk(png, "IEND", "");
  return png;
}

}  // namespace tapeflow::io
