#pragma once
// numpy/TF broadcasting: the output shape of two operands, the kernel layout, and the reverse
// (summing a gradient back down to an operand's shape).
#include "kernels/elementwise.h"
#include "tapeflow/tensor.h"

namespace tapeflow::detail {

// Throws "<op>: shapes [2, 3] and [4] cannot be broadcast together" on a mismatch.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);
// Strides of a and b over `out`, with size-1 dims dropped and contiguous runs merged.
kernels::BroadcastLayout broadcast_layout(const Shape& a, const Shape& b, const Shape& out);
// Sums `grad` over the dims that broadcasting added or stretched, giving a tensor of `shape`.
Tensor sum_to_shape(const Tensor& grad, const Shape& shape);

}  // namespace tapeflow::detail
