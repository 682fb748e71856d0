// tf.image.convert_image_dtype between uint8 and float32, with TF's constants (1/255 and 255.5).
#include <algorithm>
#include <cmath>

#include "engine/check.h"
#include "tapeflow/image/image.h"

namespace tapeflow::image {

namespace {

// TF's unchecked float -> uint8 cast truncates through a 32-bit integer on x86, so out-of-range values wrap.
uint8_t wrapping_cast(float v) {
  if (!(std::fabs(v) < 2147483648.f)) return 0;  // NaN or beyond int32: x86 gives INT_MIN, whose low byte is 0
  return static_cast<uint8_t>(static_cast<int32_t>(v));
}

}  // namespace

Tensor convert_image_dtype(const Tensor& image, DType dtype, bool saturate) {
  tapeflow::detail::check_defined("convert_image_dtype", image, "image");
  const DType from = image.dtype();
  const auto supported = [](DType d) { return d == DType::kUInt8 || d == DType::kFloat32; };
  if (!supported(from) || !supported(dtype)) {
    throw NotImplemented(fmt::format("convert_image_dtype from {} to {} (uint8 and float32 are supported)",
                                     dtype_name(from), dtype_name(dtype)));
  }
  if (from == dtype) return image;
  const Tensor in = image.to(Device::cpu());
  Tensor out = Tensor::empty(image.shape(), dtype);
  const int64_t count = image.num_elements();
  if (from == DType::kUInt8) {
    constexpr float kScale = static_cast<float>(1.0 / 255.0);  // TF multiplies by 1 / dtype.max
    const uint8_t* src = in.data<uint8_t>();
    float* dst = out.data<float>();
    for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<float>(src[i]) * kScale;
  } else {
    constexpr float kScale = 255.5f;  // dtype.max + 0.5, so that 1.0 maps to 255 after truncation
    const float* src = in.data<float>();
    uint8_t* dst = out.data<uint8_t>();
    for (int64_t i = 0; i < count; ++i) {
      const float scaled = src[i] * kScale;
      // saturate_cast clamps to [0, 255] (NaN becomes 0) and then truncates.
      dst[i] = saturate ? static_cast<uint8_t>(std::isnan(scaled) ? 0.f : std::clamp(scaled, 0.f, 255.f))
                        : wrapping_cast(scaled);
    }
  }
  return out.to(image.device());
}

}  // namespace tapeflow::image
