#pragma once
// Reductions over the middle dim of x [outer, n, inner] into y [outer, inner]. Sums are exact to
// float rounding of a double accumulator and do not depend on the thread count.
#include <cstdint>

namespace tapeflow::kernels::cpu {

void reduce_sum(const float* x, float* y, int64_t outer, int64_t n, int64_t inner);
void reduce_max(const float* x, float* y, int64_t outer, int64_t n, int64_t inner);
// Index of the first maximum along n.
void argmax(const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner);

}  // namespace tapeflow::kernels::cpu
