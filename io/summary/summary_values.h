#pragma once
// What the summary ops compute before encoding: a scalar's value, images as PNGs, histogram buckets.
// Errors name the summary.
#include <array>
#include <string>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow::summary::detail {

// The value of a one-element numeric tensor.
double scalar_value(const std::string& name, const Tensor& value);

struct EncodedImages {
  int64_t width = 0, height = 0;
  std::vector<std::string> pngs;
};
// [k, h, w, c] or [h, w, c], uint8 or float in [0, 1] (scaled by 255.5 and saturated as TF's
// convert_image_dtype does); the first max_outputs images.
EncodedImages encode_images(const std::string& name, const Tensor& images, int max_outputs);

// (left edge, right edge, count) of `bucket_count` equal-width buckets over the values' range; all
// counts in the last bucket when the range is zero; zero rows for no values (as TF2's histogram).
std::vector<std::array<double, 3>> histogram_buckets(const std::string& name, const Tensor& values, int bucket_count);

}  // namespace tapeflow::summary::detail
