#pragma once
// Engine-internal tensor helpers.
#include "tapeflow/tensor.h"

namespace tapeflow::detail {

uint64_t new_tensor_id();
// A new tensor (new id) sharing `base`'s storage with another shape of the same element count.
Tensor view(const Tensor& base, const Shape& shape);

}  // namespace tapeflow::detail
