// tf.image.per_image_standardization; sums in double so that large images keep their precision.
#include <algorithm>
#include <cmath>

#include "image_batch.h"
#include "tapeflow/image/image.h"

namespace tapeflow::image {

namespace {

template <class T>
void standardize(const detail::ImageBatch& in, float* dst) {
  const T* all = in.pixels.data<T>();
  const int64_t count = in.image_elements();
  for (int64_t n = 0; n < in.batch; ++n) {
    const T* src = all + n * count;
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += static_cast<double>(src[i]);
    const double mean = count ? sum / static_cast<double>(count) : 0.0;
    double squares = 0;
    for (int64_t i = 0; i < count; ++i) {
      const double centred = static_cast<double>(src[i]) - mean;
      squares += centred * centred;
    }
    const double stddev = count ? std::sqrt(squares / static_cast<double>(count)) : 0.0;
    // TF's floor on the deviation keeps uniform images finite: 1 / sqrt(N).
    const double adjusted = std::max(stddev, 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(count, 1))));
    for (int64_t i = 0; i < count; ++i) {
      *dst++ = static_cast<float>((static_cast<double>(src[i]) - mean) / adjusted);
    }
  }
}

}  // namespace

Tensor per_image_standardization(const Tensor& images) {
  const detail::ImageBatch in = detail::as_image_batch("per_image_standardization", images);
  Tensor out = Tensor::empty(images.shape(), DType::kFloat32);
  if (in.pixels.dtype() == DType::kUInt8) {
    standardize<uint8_t>(in, out.data<float>());
  } else {
    standardize<float>(in, out.data<float>());
  }
  return out.to(images.device());
}

}  // namespace tapeflow::image
