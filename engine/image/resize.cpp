// tf.image.resize with TF2's half-pixel centres, as TensorFlow's ResizeBilinear / ResizeNearestNeighbor
// kernels with half_pixel_centers=true compute them (same float operations, same order).
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/check.h"
#include "image_batch.h"
#include "tapeflow/image/image.h"

namespace tapeflow::image {

namespace {

// Output index i samples the input at (i + 0.5) * in/out - 0.5 (bilinear) or floor((i + 0.5) * in/out) (nearest).
struct Tap {
  int64_t lower, upper;
  float lerp;
};

std::vector<Tap> bilinear_taps(int64_t in_size, int64_t out_size) {
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  std::vector<Tap> taps(static_cast<size_t>(out_size));
  for (int64_t i = 0; i < out_size; ++i) {
    const float in = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    const float in_floor = std::floor(in);
    taps[i] = {std::max<int64_t>(static_cast<int64_t>(in_floor), 0),
               std::min<int64_t>(static_cast<int64_t>(std::ceil(in)), in_size - 1), in - in_floor};
  }
  return taps;
}

std::vector<int64_t> nearest_taps(int64_t in_size, int64_t out_size) {
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  std::vector<int64_t> taps(static_cast<size_t>(out_size));
  for (int64_t i = 0; i < out_size; ++i) {
    const auto at = static_cast<int64_t>(std::floor((static_cast<float>(i) + 0.5f) * scale));
    taps[i] = std::clamp<int64_t>(at, 0, in_size - 1);
  }
  return taps;
}

template <class T>
void resize_bilinear(const detail::ImageBatch& in, const T* src, float* dst, int64_t out_h, int64_t out_w) {
  const std::vector<Tap> ys = bilinear_taps(in.height, out_h), xs = bilinear_taps(in.width, out_w);
  const int64_t c = in.channels, row = in.width * c;
  for (int64_t n = 0; n < in.batch; ++n) {
    const T* image = src + n * in.image_elements();
    for (const Tap& y : ys) {
      for (const Tap& x : xs) {
        for (int64_t k = 0; k < c; ++k) {
          const auto at = [&](int64_t yy, int64_t xx) { return static_cast<float>(image[yy * row + xx * c + k]); };
          const float top = at(y.lower, x.lower) + (at(y.lower, x.upper) - at(y.lower, x.lower)) * x.lerp;
          const float bottom = at(y.upper, x.lower) + (at(y.upper, x.upper) - at(y.upper, x.lower)) * x.lerp;
          *dst++ = top + (bottom - top) * y.lerp;
        }
      }
    }
  }
}

template <class T>
void resize_nearest(const detail::ImageBatch& in, const T* src, T* dst, int64_t out_h, int64_t out_w) {
  const std::vector<int64_t> ys = nearest_taps(in.height, out_h), xs = nearest_taps(in.width, out_w);
  const int64_t c = in.channels, row = in.width * c;
  for (int64_t n = 0; n < in.batch; ++n) {
    const T* image = src + n * in.image_elements();
    for (const int64_t y : ys) {
      for (const int64_t x : xs) dst = std::copy_n(image + y * row + x * c, c, dst);
    }
  }
}

template <class T>
Tensor resize_typed(const detail::ImageBatch& in, Size size, ResizeMethod method) {
  const Shape shape = in.shape_with(size.height, size.width);
  if (method == ResizeMethod::kNearest) {
    Tensor out = Tensor::empty(shape, in.pixels.dtype());
    resize_nearest(in, in.pixels.data<T>(), out.data<T>(), size.height, size.width);
    return out;
  }
  Tensor out = Tensor::empty(shape, DType::kFloat32);
  resize_bilinear(in, in.pixels.data<T>(), out.data<float>(), size.height, size.width);
  return out;
}

}  // namespace

Tensor resize(const Tensor& images, Size size, ResizeMethod method) {
  const detail::ImageBatch in = detail::as_image_batch("resize", images);
  TAPEFLOW_CHECK(size.height > 0 && size.width > 0, "resize: expected a positive size, found {} x {}", size.height,
                 size.width);
  TAPEFLOW_CHECK(in.height > 0 && in.width > 0, "resize: cannot resize an empty image of shape {}", images.shape());
  Tensor out = in.pixels.dtype() == DType::kUInt8 ? resize_typed<uint8_t>(in, size, method)
                                                  : resize_typed<float>(in, size, method);
  return out.to(images.device());
}

}  // namespace tapeflow::image
