#pragma once
// Shared by the image tests: seeded test pictures, and PNGs of every kind written by libpng itself
// (palette, tRNS, 16-bit, 1-bit, interlaced), independently of tapeflow's encoder.
#include <png.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow::testing {

// Seeded noise: uint8 [height, width, channels].
inline Tensor noise_image(int64_t height, int64_t width, int64_t channels, uint32_t seed = 1) {
  Tensor t = Tensor::empty({height, width, channels}, DType::kUInt8);
  std::mt19937 gen(seed);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<uint8_t>()[i] = static_cast<uint8_t>(gen() & 0xff);
  return t;
}

// Smooth gradients (what JPEG keeps well): uint8 [height, width, channels].
inline Tensor gradient_image(int64_t height, int64_t width, int64_t channels) {
  Tensor t = Tensor::empty({height, width, channels}, DType::kUInt8);
  uint8_t* p = t.data<uint8_t>();
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < channels; ++c)
        *p++ = static_cast<uint8_t>((x * 255 / (width - 1) * (c + 1) + y * 255 / (height - 1) * (2 - c % 3)) / 3 % 256);
  return t;
}

struct PngSpec {
  int width = 0, height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<uint8_t> rows;           // packed rows as the PNG stores them (16-bit samples big-endian)
  std::vector<png_color> palette;      // PNG_COLOR_TYPE_PALETTE
  std::vector<uint8_t> trns_alphas;    // tRNS for a palette
  bool trns_color = false;             // tRNS for gray/RGB: this value is transparent
  png_color_16 trns_value{};
};

inline std::string write_png(const PngSpec& spec) {
  std::string out;
  png_structp png = png_create_write_struct(
      PNG_LIBPNG_VER_STRING, nullptr, [](png_structp, png_const_charp) { std::abort(); }, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, size_t n) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), n);
      },
      nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  if (!spec.trns_alphas.empty())
    png_set_tRNS(png, info, spec.trns_alphas.data(), static_cast<int>(spec.trns_alphas.size()), nullptr);
  if (spec.trns_color) {
    png_color_16 value = spec.trns_value;
    png_set_tRNS(png, info, nullptr, 0, &value);
  }
  png_write_info(png, info);
  const size_t row_bytes = spec.rows.size() / static_cast<size_t>(spec.height);
  std::vector<png_bytep> rows(static_cast<size_t>(spec.height));
  for (size_t y = 0; y < rows.size(); ++y) rows[y] = const_cast<png_bytep>(spec.rows.data() + y * row_bytes);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

// The bytes of a tensor, for exact comparisons.
inline std::vector<uint8_t> pixels(const Tensor& t) { return t.numpy<uint8_t>(); }

}  // namespace tapeflow::testing
