#include "io/summary/summary_values.h"

#include <algorithm>
#include <cmath>

#include "engine/check.h"
#include "tapeflow/io/png.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/math.h"

namespace tapeflow::summary::detail {

double scalar_value(const std::string& name, const Tensor& value) {
  TAPEFLOW_CHECK(value.defined() && value.num_elements() == 1 && value.dtype() != DType::kString,
                 "summary scalar '{}': expected a one-element numeric tensor, found {} {}", name,
                 value.defined() ? dtype_name(value.dtype()) : "undefined", value.shape().to_string());
  return cast(value.to(Device::cpu()), DType::kFloat32).item<float>();
}

EncodedImages encode_images(const std::string& name, const Tensor& images, int max_outputs) {
  TAPEFLOW_CHECK(images.defined() && (images.shape().rank() == 4 || images.shape().rank() == 3),
                 "summary image '{}': expected [k, h, w, c] or [h, w, c] images, found {}", name,
                 images.defined() ? images.shape().to_string() : "an undefined tensor");
  TAPEFLOW_CHECK(images.dtype() == DType::kUInt8 || images.dtype() == DType::kFloat32,
                 "summary image '{}': expected uint8 or float32 pixels, found {}", name, dtype_name(images.dtype()));
  TAPEFLOW_CHECK(max_outputs > 0, "summary image '{}': max_outputs must be positive, found {}", name, max_outputs);
  Tensor batch = images.to(Device::cpu());
  if (batch.shape().rank() == 3) batch = expand_dims(batch, 0);
  const Shape& s = batch.shape();
  TAPEFLOW_CHECK(s[3] >= 1 && s[3] <= 4, "summary image '{}': expected 1 to 4 channels, found {}", name, s[3]);
  if (batch.dtype() == DType::kFloat32) {
    // TF's convert_image_dtype(saturate=True): x * 255.5, clipped, truncated.
    const std::vector<float> pixels = batch.numpy<float>();
    Tensor bytes = Tensor::empty(s, DType::kUInt8);
    uint8_t* out = bytes.data<uint8_t>();
    for (size_t i = 0; i < pixels.size(); ++i) out[i] = static_cast<uint8_t>(std::clamp(pixels[i] * 255.5f, 0.f, 255.f));
    batch = bytes;
  }
  EncodedImages encoded{.width = s[2], .height = s[1]};
  const int64_t count = std::min<int64_t>(s[0], max_outputs);
  for (int64_t i = 0; i < count; ++i) encoded.pngs.push_back(io::encode_png(reshape(slice(batch, {i, 0, 0, 0}, {1, -1, -1, -1}), {s[1], s[2], s[3]})));
  return encoded;
}

std::vector<std::array<double, 3>> histogram_buckets(const std::string& name, const Tensor& values, int bucket_count) {
  TAPEFLOW_CHECK(bucket_count > 0, "summary histogram '{}': buckets must be positive, found {}", name, bucket_count);
  TAPEFLOW_CHECK(values.defined() && values.dtype() != DType::kString && values.dtype() != DType::kBool,
                 "summary histogram '{}': expected a numeric tensor", name);
  std::vector<float> data = cast(values.to(Device::cpu()), DType::kFloat32).numpy<float>();
  std::erase_if(data, [](float x) { return !std::isfinite(x); });  // NaN and Inf have no bucket
  std::vector<std::array<double, 3>> buckets(static_cast<size_t>(bucket_count), {0, 0, 0});
  if (data.empty()) return buckets;
  const auto [min_it, max_it] = std::minmax_element(data.begin(), data.end());
  const double low = *min_it, high = *max_it;
  if (low == high) {
    for (auto& b : buckets) b = {low, high, 0};
    buckets.back()[2] = static_cast<double>(data.size());
    return buckets;
  }
  const double width = (high - low) / bucket_count;
  for (int i = 0; i < bucket_count; ++i) buckets[static_cast<size_t>(i)] = {low + i * width, low + (i + 1) * width, 0};
  for (const float x : data) {
    const auto index = std::min<int64_t>(static_cast<int64_t>((x - low) / width), bucket_count - 1);
    buckets[static_cast<size_t>(index)][2] += 1;
  }
  return buckets;
}

}  // namespace tapeflow::summary::detail
