#pragma once
// Reductions over the middle dim of x [outer, n, inner] into y [outer, inner]. Work is cut by shape
// alone (never by thread count), so every result is bit-identical for any number of threads; sums
// accumulate in double. CPU implementations in kernels/cpu/reduction.cpp, CUDA ones (sums in double
// too, in a fixed order for a shape) in kernels/cuda/reduction.cu.
#include <cstdint>

namespace tapeflow::kernels {
namespace cpu {

void reduce_sum(const float* x, float* y, int64_t outer, int64_t n, int64_t inner);  // 0 when n == 0
void reduce_max(const float* x, float* y, int64_t outer, int64_t n, int64_t inner);  // -inf when n == 0; NaN wins
// y [outer, inner] (int64): index of the first maximum along n. n >= 1.
void argmax(const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner);

}  // namespace cpu

// The same on CUDA device `device`, queued on its compute stream.
namespace cuda {

void reduce_sum(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner);
void reduce_max(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner);
void argmax(int device, const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner);

}  // namespace cuda
}  // namespace tapeflow::kernels
