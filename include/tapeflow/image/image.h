#pragma once
// tf.image: resizing, dtype conversion, random augmentation and standardization on the CPU.
// Images are [height, width, channels] or batches [batch, height, width, channels], uint8 or float32.
// Seeded ops draw from the engine's Philox generator, so a seed gives the same result on every run.
#include <cstdint>
#include <optional>

#include "tapeflow/tensor.h"

namespace tapeflow::image {

enum class ResizeMethod { kBilinear, kNearest };
inline constexpr ResizeMethod bilinear = ResizeMethod::kBilinear;
inline constexpr ResizeMethod nearest = ResizeMethod::kNearest;

struct Size {
  int64_t height;
  int64_t width;
};

// tf.image.resize (TF2: half-pixel centres, no antialiasing). Bilinear returns float32; nearest keeps the dtype.
Tensor resize(const Tensor& images, Size size, ResizeMethod method = ResizeMethod::kBilinear);

// tf.image.convert_image_dtype between uint8 and float32: uint8 -> float32 multiplies by 1/255;
// float32 -> uint8 multiplies by 255.5 and truncates. With `saturate` values are clamped to [0, 255] first;
// without it, values outside [0, 1] wrap modulo 256 (what TF's unchecked cast does on x86).
Tensor convert_image_dtype(const Tensor& image, DType dtype, bool saturate = false);

// tf.image.flip_left_right: mirrors the width axis (every image of a batch).
Tensor flip_left_right(const Tensor& images);
// tf.image.random_flip_left_right: each image is mirrored with probability 1/2.
Tensor random_flip_left_right(const Tensor& images, std::optional<uint64_t> seed = {});

// tf.image.random_crop: a window of shape `size` (same rank as `value`, each dim at most value's) at a
// uniformly random offset. Any dtype but string.
Tensor random_crop(const Tensor& value, const Shape& size, std::optional<uint64_t> seed = {});

// tf.image.per_image_standardization: (x - mean) / max(stddev, 1 / sqrt(N)) over each image's N = h*w*c
// values; float32 output.
Tensor per_image_standardization(const Tensor& images);

}  // namespace tapeflow::image
