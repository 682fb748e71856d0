// decode_png through libpng, with TensorFlow's channel and bit-depth rules (tensorflow/core/lib/png/png_io.cc).
//
// libpng reports errors by longjmp. Each function that calls libpng sets its own jump point and holds no
// object with a destructor in its frame, so the jump skips nothing; the message travels in PngSource.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <vector>

#include "engine/check.h"
#include "image_checks.h"
#include "tapeflow/io/image.h"

namespace tapeflow::io {

namespace {

// Deflate expands data at most 1032-fold and the thinnest pixel is one bit (1-bit gray), so no valid PNG holds
// more pixels per byte of file than this.
constexpr int64_t kMaxPixelsPerByte = 8 * 1032;

// The bytes libpng reads from, and where a libpng error leaves its message.
struct PngSource {
  std::string_view bytes;
  size_t offset = 0;
  char error[256] = "";
};

void on_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->error, sizeof source->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // benign (e.g. an odd iCCP profile), as in TF

void on_read(png_structp png, png_bytep out, size_t count) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (source->bytes.size() - source->offset < count) png_error(png, "truncated: the data ends inside the image");
  std::memcpy(out, source->bytes.data() + source->offset, count);
  source->offset += count;
}

// Owns libpng's read and info structs.
class PngReader {
 public:
  explicit PngReader(PngSource& source) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_error, on_warning);
    TAPEFLOW_CHECK(png_ != nullptr, "decode_png: libpng could not start");
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_read_struct(&png_, nullptr, nullptr);
      throw Error("decode_png: libpng could not start");
    }
    png_set_read_fn(png_, &source, on_read);
  }
  ~PngReader() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

struct PngGeometry {
  png_uint_32 width = 0, height = 0;
  int channels = 0;
};

// Reads the header and sets the transforms that give 8-bit pixels with `requested` channels (0: TF's choice).
// False after a libpng error.
bool read_header(png_structp png, png_infop info, int requested, PngGeometry* geometry) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  const bool has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  const bool has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) != 0;
  const bool is_gray = (color_type & PNG_COLOR_MASK_COLOR) == 0;
  int channels = requested;
  if (channels == 0) channels = color_type == PNG_COLOR_TYPE_PALETTE ? (has_trns ? 4 : 3) : png_get_channels(png, info);

  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (is_gray && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_strip_16(png);  // the high byte, as TF and Pillow
  if (channels < 3 && !is_gray) png_set_rgb_to_gray(png, PNG_ERROR_ACTION_NONE, 0.299, 0.587);  // ITU-R 601 luma
  if (channels >= 3 && is_gray) png_set_gray_to_rgb(png);
  const bool want_alpha = channels % 2 == 0;
  if (want_alpha && !has_alpha) {
    if (has_trns) {
      png_set_tRNS_to_alpha(png);
    } else {
      png_set_add_alpha(png, 0xffff, PNG_FILLER_AFTER);  // opaque
    }
  } else if (!want_alpha && (has_alpha || has_trns)) {
    png_set_strip_alpha(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  geometry->width = png_get_image_width(png, info);
  geometry->height = png_get_image_height(png, info);
  geometry->channels = channels;
  if (png_get_channels(png, info) != channels || png_get_bit_depth(png, info) != 8) {
    std::snprintf(static_cast<PngSource*>(png_get_error_ptr(png))->error, sizeof PngSource::error,
                  "libpng gives %d channels of %d bits, expected %d of 8", png_get_channels(png, info),
                  png_get_bit_depth(png, info), channels);
    return false;
  }
  return true;
}

// Decodes every row (all interlace passes) and the chunks after the image. False after a libpng error.
bool read_rows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  return true;
}

}  // namespace

Tensor decode_png(std::string_view bytes, int channels) {
  detail::check_requested_channels("decode_png", channels, {1, 2, 3, 4});
  TAPEFLOW_CHECK(bytes.size() >= 8 && png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) == 0,
                 "decode_png: expected a PNG (starting 89 50 4e 47 0d 0a 1a 0a), found {} ({} bytes)",
                 detail::leading_bytes(bytes), bytes.size());
  PngSource source{bytes};
  const PngReader reader(source);

  PngGeometry geometry;
  TAPEFLOW_CHECK(read_header(reader.png(), reader.info(), channels, &geometry),
                 "decode_png: corrupt PNG header ({} bytes): {}", bytes.size(), source.error);
  detail::check_declared_size("decode_png", geometry.width, geometry.height, bytes.size(), kMaxPixelsPerByte);

  Tensor image = Tensor::empty({geometry.height, geometry.width, geometry.channels}, DType::kUInt8);
  std::vector<png_bytep> rows(geometry.height);
  const size_t row_bytes = size_t{geometry.width} * static_cast<size_t>(geometry.channels);
  for (size_t y = 0; y < rows.size(); ++y) rows[y] = image.data<uint8_t>() + y * row_bytes;
  TAPEFLOW_CHECK(read_rows(reader.png(), reader.info(), rows.data()),
                 "decode_png: corrupt or truncated PNG ({} x {}, {} bytes): {}", geometry.width, geometry.height,
                 bytes.size(), source.error);
  return image;
}

}  // namespace tapeflow::io
