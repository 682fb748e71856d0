#pragma once
// Naive loops that references in the op table share: plain index arithmetic, no engine kernels.
#include <functional>
#include <vector>

#include "tapeflow/tapeflow.h"

namespace tapeflow::testing {

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& s);
// numpy broadcasting by index arithmetic: out[i] = f(a[ia], b[ib]) over float32 operands.
Tensor naive_broadcast(const Tensor& a, const Tensor& b, const std::function<float(float, float)>& f);
// The same for a bool result.
Tensor naive_broadcast_compare(const Tensor& a, const Tensor& b, const std::function<bool(float, float)>& f);
Tensor naive_map(const Tensor& x, const std::function<float(float)>& f);

}  // namespace tapeflow::testing
