#pragma once
// Engine-internal tensor helpers.
#include "tapeflow/tensor.h"

namespace tapeflow::detail {

uint64_t new_tensor_id();
// A new tensor (new id) sharing `base`'s storage with another shape of the same element count.
Tensor view(const Tensor& base, const Shape& shape);
// Rows [begin, begin + count) of dim 0 as a view (no copy, not recorded on tapes).
Tensor rows(const Tensor& base, int64_t begin, int64_t count);

}  // namespace tapeflow::detail
