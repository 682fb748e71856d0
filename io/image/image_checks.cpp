#include "image_checks.h"

#include <algorithm>

#include "engine/check.h"
#include "tapeflow/io/image.h"

namespace tapeflow::io::detail {

void check_requested_channels(const char* op, int channels, std::initializer_list<int> allowed) {
  TAPEFLOW_CHECK(channels == 0 || std::find(allowed.begin(), allowed.end(), channels) != allowed.end(),
                 "{}: expected channels 0 (as stored) or one of {}, found {}", op, fmt::join(allowed, ", "), channels);
}

void check_declared_size(const char* op, int64_t width, int64_t height, size_t file_bytes,
                         int64_t max_pixels_per_byte) {
  TAPEFLOW_CHECK(width > 0 && height > 0, "{}: the image declares {} x {} pixels; expected a positive size", op, width,
                 height);
  TAPEFLOW_CHECK(width * height <= kMaxImagePixels,
                 "{}: the image declares {} x {} = {} pixels, more than the limit of {} (a corrupt or hostile file?)",
                 op, width, height, width * height, kMaxImagePixels);
  TAPEFLOW_CHECK(width * height <= static_cast<int64_t>(file_bytes) * max_pixels_per_byte,
                 "{}: the image declares {} x {} = {} pixels, more than {} bytes can encode (at most {} pixels per "
                 "byte): truncated or corrupt",
                 op, width, height, width * height, file_bytes, max_pixels_per_byte);
}

Tensor checked_encoder_input(const char* op, const Tensor& image, std::initializer_list<int64_t> allowed) {
  tapeflow::detail::check_defined(op, image, "image");
  TAPEFLOW_CHECK(image.dtype() == DType::kUInt8 && image.rank() == 3,
                 "{}: expected a uint8 [height, width, channels] image, found {} {}", op, dtype_name(image.dtype()),
                 image.shape());
  const int64_t channels = image.shape()[2];
  TAPEFLOW_CHECK(std::find(allowed.begin(), allowed.end(), channels) != allowed.end(),
                 "{}: expected channels to be one of {}, found {} (image {})", op, fmt::join(allowed, ", "), channels,
                 image.shape());
  TAPEFLOW_CHECK(image.shape()[0] > 0 && image.shape()[1] > 0 && image.shape()[0] < (1 << 30) &&
                     image.shape()[1] < (1 << 30),
                 "{}: an image of {} x {} pixels cannot be encoded", op, image.shape()[1], image.shape()[0]);
  return image.to(Device::cpu());
}

std::string leading_bytes(std::string_view bytes, size_t count) {
  if (bytes.empty()) return "no bytes (empty input)";
  std::string out;
  for (size_t i = 0; i < std::min(count, bytes.size()); ++i) {
    out += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned char>(bytes[i]));
  }
  return out;
}

}  // namespace tapeflow::io::detail
