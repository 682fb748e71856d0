// decode_image: picks the decoder from the file's signature, as tf.io.decode_image.
#include <fmt/format.h>

#include "image_checks.h"
#include "tapeflow/io/image.h"

namespace tapeflow::io {

namespace {

bool starts_with(std::string_view bytes, std::string_view signature) { return bytes.substr(0, signature.size()) == signature; }

}  // namespace

Tensor decode_image(std::string_view bytes, int channels) {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return decode_png(bytes, channels);
  if (starts_with(bytes, "\xff\xd8\xff")) return decode_jpeg(bytes, channels);
  if (starts_with(bytes, "GIF8") || starts_with(bytes, "BM")) {
    throw NotImplemented(fmt::format("decode_image: {} images (PNG and JPEG are supported)",
                                     starts_with(bytes, "BM") ? "BMP" : "GIF"));
  }
  throw Error(fmt::format("decode_image: expected a PNG (89 50 4e 47) or JPEG (ff d8 ff), found {} ({} bytes)",
                          detail::leading_bytes(bytes), bytes.size()));
}

}  // namespace tapeflow::io
