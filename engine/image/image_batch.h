#pragma once
// How the image ops see their input: a batch of [height, width, channels] images on the CPU.
#include <cstdint>

#include "tapeflow/tensor.h"

namespace tapeflow::image::detail {

struct ImageBatch {
  Tensor pixels;  // the input on the CPU
  int64_t batch, height, width, channels;
  bool batched;   // the input was [n, h, w, c]

  int64_t image_elements() const { return height * width * channels; }
  // The output shape for images of `height` x `width`, batched as the input was.
  Shape shape_with(int64_t out_height, int64_t out_width) const;
};

// Checks rank 3 or 4 and (when `numeric_only`) uint8 or float32; names `op` in errors.
ImageBatch as_image_batch(const char* op, const Tensor& images, bool numeric_only = true);

}  // namespace tapeflow::image::detail
