#pragma once
// conv2d's two backward products on the tensor's device, shared by conv2d and the fused conv2d_bias_relu.
#include "kernels/conv.h"
#include "tapeflow/tensor.h"

namespace tapeflow::detail {

// The gradient with respect to the input [n, h, w, c], given the gradient of the output.
Tensor conv2d_backward_input(const Tensor& d_out, const Tensor& filters, const Shape& input_shape,
                             const kernels::Conv2DGeometry& g);
// The gradient with respect to the filters [kh, kw, c, o], from the forward's input.
Tensor conv2d_backward_filter(const Tensor& input, const Tensor& d_out, const Shape& filter_shape,
                              const kernels::Conv2DGeometry& g);

}  // namespace tapeflow::detail
