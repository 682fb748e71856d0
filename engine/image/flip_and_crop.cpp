// flip_left_right, random_flip_left_right and random_crop: element copies, so any dtype but string.
#include <cstring>
#include <vector>

#include "engine/check.h"
#include "image_batch.h"
#include "tapeflow/image/image.h"
#include "tapeflow/random.h"

namespace tapeflow::image {

namespace {

// Copies image n of `in` into `out`, mirrored along the width when `mirror`.
void copy_image(const detail::ImageBatch& in, int64_t n, bool mirror, Tensor& out) {
  const size_t pixel_bytes = static_cast<size_t>(in.channels) * dtype_size(in.pixels.dtype());
  const size_t image_bytes = static_cast<size_t>(in.image_elements()) * dtype_size(in.pixels.dtype());
  const auto* src = static_cast<const char*>(in.pixels.raw_data()) + n * image_bytes;
  auto* dst = static_cast<char*>(out.raw_data()) + n * image_bytes;
  if (!mirror) {
    std::memcpy(dst, src, image_bytes);
    return;
  }
  for (int64_t y = 0; y < in.height; ++y) {
    for (int64_t x = 0; x < in.width; ++x) {
      std::memcpy(dst + (y * in.width + x) * pixel_bytes, src + (y * in.width + in.width - 1 - x) * pixel_bytes,
                  pixel_bytes);
    }
  }
}

Tensor flip_where(const detail::ImageBatch& in, const std::vector<bool>& mirror, const Device& device) {
  Tensor out = Tensor::empty(in.pixels.shape(), in.pixels.dtype());
  for (int64_t n = 0; n < in.batch; ++n) copy_image(in, n, mirror[static_cast<size_t>(n)], out);
  return out.to(device);
}

}  // namespace

Tensor flip_left_right(const Tensor& images) {
  const detail::ImageBatch in = detail::as_image_batch("flip_left_right", images, false);
  return flip_where(in, std::vector<bool>(static_cast<size_t>(in.batch), true), images.device());
}

Tensor random_flip_left_right(const Tensor& images, std::optional<uint64_t> seed) {
  const detail::ImageBatch in = detail::as_image_batch("random_flip_left_right", images, false);
  // One uniform draw per image; mirrored below 0.5, as TF.
  const std::vector<float> draws = random::uniform({in.batch}, 0.f, 1.f, seed).numpy<float>();
  std::vector<bool> mirror(draws.size());
  for (size_t i = 0; i < draws.size(); ++i) mirror[i] = draws[i] < 0.5f;
  return flip_where(in, mirror, images.device());
}

Tensor random_crop(const Tensor& value, const Shape& size, std::optional<uint64_t> seed) {
  tapeflow::detail::check_defined("random_crop", value, "value");
  TAPEFLOW_CHECK(value.dtype() != DType::kString, "random_crop: expected a numeric tensor, found string");
  const Shape& shape = value.shape();
  const int rank = shape.rank();
  TAPEFLOW_CHECK(size.rank() == rank && rank > 0, "random_crop: expected a size of rank {} for value {}, found {}",
                 rank, shape, size);
  for (int d = 0; d < rank; ++d) {
    TAPEFLOW_CHECK(size[d] >= 0 && size[d] <= shape[d],
                   "random_crop: expected size <= value's shape in every dim, found size {} for value {}", size, shape);
  }
  // As TF: one uniform int64 per dim, reduced modulo the number of possible offsets.
  const std::vector<int64_t> draws = random::uniform_int({rank}, 0, INT64_MAX, seed).numpy<int64_t>();
  std::vector<int64_t> offset(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) offset[d] = draws[d] % (shape[d] - size[d] + 1);

  const Tensor in = value.to(Device::cpu());
  Tensor out = Tensor::empty(size, value.dtype());
  if (out.num_elements() == 0) return out.to(value.device());
  // Row-major strides of the input; each run of the last dim is one contiguous copy.
  const size_t element = dtype_size(value.dtype());
  std::vector<int64_t> stride(static_cast<size_t>(rank), 1);
  for (int d = rank - 2; d >= 0; --d) stride[d] = stride[d + 1] * shape[d + 1];
  const size_t run_bytes = static_cast<size_t>(size[rank - 1]) * element;
  const int64_t runs = out.num_elements() / size[rank - 1];
  const auto* src = static_cast<const char*>(in.raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  std::vector<int64_t> index(static_cast<size_t>(rank), 0);  // position in the crop; the last dim stays 0
  for (int64_t r = 0; r < runs; ++r) {
    int64_t from = 0;
    for (int d = 0; d < rank; ++d) from += (offset[d] + index[d]) * stride[d];
    std::memcpy(dst + r * run_bytes, src + from * static_cast<int64_t>(element), run_bytes);
    for (int d = rank - 2; d >= 0 && ++index[d] == size[d]; --d) index[d] = 0;
  }
  return out.to(value.device());
}

}  // namespace tapeflow::image
