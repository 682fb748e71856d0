#pragma once
#include "tapeflow/tensor.h"

namespace tapeflow {

// Matrix product of the last two dims, as tf.linalg.matmul. Rank-2 operands, or batched operands whose
// leading dims are equal; a rank-2 operand is broadcast against a batched one.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

}  // namespace tapeflow
