#pragma once
// Reductions over the middle dim of x [outer, n, inner] into y [outer, inner]. Work is cut by shape
// alone (never by thread count), so every result is bit-identical for any number of threads; sums
// accumulate in double. CPU implementations in kernels/cpu/reduction.cpp.
#include <cstdint>

namespace tapeflow::kernels::cpu {

void reduce_sum(const float* x, float* y, int64_t outer, int64_t n, int64_t inner);  // 0 when n == 0
void reduce_max(const float* x, float* y, int64_t outer, int64_t n, int64_t inner);  // -inf when n == 0; NaN wins
// y [outer, inner] (int64): index of the first maximum along n. n >= 1.
void argmax(const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner);

}  // namespace tapeflow::kernels::cpu
