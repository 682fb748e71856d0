#pragma once
// Stacking elements' components into a batch, on the CPU, for every dtype (strings included).
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow::data {

// parts (one dtype, each no larger than element_shape in any dim, same rank) stacked along a new
// dim 0; each part fills the leading corner of its slot and the rest is `fill` (a scalar of the dtype;
// undefined: 0 or ""). Parts on another device are stacked there (unpadded only).
Tensor stack_padded(const std::vector<Tensor>& parts, const Shape& element_shape, const Tensor& fill);

}  // namespace tapeflow::data
