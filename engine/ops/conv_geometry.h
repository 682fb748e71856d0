#pragma once
// TF's padding rules turned into the kernels' geometry, for conv2d and the pools.
#include <array>

#include "kernels/conv.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::detail {

// input [n, h, w, c]; window kh x kw; o output channels (pools: o == c). Checks strides, dilations
// and that a VALID window fits, naming `op` in errors.
kernels::Conv2DGeometry conv_geometry(const char* op, const Shape& input, int64_t kh, int64_t kw, int64_t o,
                                      std::array<int, 2> strides, std::array<int, 2> dilations, nn::Padding padding);

// conv2d's operand checks (float32 on one device, input [N, H, W, C] and filters [KH, KW, C, O] with matching C)
// and their geometry, naming `op` in errors.
kernels::Conv2DGeometry conv2d_geometry(const char* op, const Tensor& input, const Tensor& filters,
                                        std::array<int, 2> strides, std::array<int, 2> dilations, nn::Padding padding);

}  // namespace tapeflow::detail
