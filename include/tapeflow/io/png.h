#pragma once
// PNG encoding (8-bit gray, gray+alpha, RGB, RGBA), as TensorBoard's image summaries store images.
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::io {

// `image`: uint8 [height, width, channels] with 1 to 4 channels.
std::string encode_png(const Tensor& image);

}  // namespace tapeflow::io
