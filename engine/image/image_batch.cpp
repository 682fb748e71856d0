#include "image_batch.h"

#include "engine/check.h"

namespace tapeflow::image::detail {

Shape ImageBatch::shape_with(int64_t out_height, int64_t out_width) const {
  return batched ? Shape{batch, out_height, out_width, channels} : Shape{out_height, out_width, channels};
}

ImageBatch as_image_batch(const char* op, const Tensor& images, bool numeric_only) {
  tapeflow::detail::check_defined(op, images, "images");
  TAPEFLOW_CHECK(images.rank() == 3 || images.rank() == 4,
                 "{}: expected an image [height, width, channels] or a batch [batch, height, width, channels], "
                 "found shape {}", op, images.shape());
  const DType dtype = images.dtype();
  TAPEFLOW_CHECK(!numeric_only || dtype == DType::kUInt8 || dtype == DType::kFloat32,
                 "{}: expected uint8 or float32 images, found {}", op, dtype_name(dtype));
  TAPEFLOW_CHECK(dtype != DType::kString, "{}: expected numeric images, found string", op);
  const Shape& s = images.shape();
  const bool batched = s.rank() == 4;
  const int first = batched ? 1 : 0;
  return ImageBatch{images.to(Device::cpu()), batched ? s[0] : 1, s[first], s[first + 1], s[first + 2], batched};
}

}  // namespace tapeflow::image::detail
