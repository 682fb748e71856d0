#pragma once
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow {

// Reductions over `axes` (all axes when empty; negative axes count from the end), as tf.reduce_*.
Tensor reduce_sum(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
Tensor reduce_mean(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
Tensor reduce_max(const Tensor& x, const std::vector<int>& axes = {}, bool keepdims = false);
// Index of the largest value along `axis` (first one on ties), int64.
Tensor argmax(const Tensor& x, int axis = -1);

}  // namespace tapeflow
