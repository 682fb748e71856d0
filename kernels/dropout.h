#pragma once
// Dropout with a counter-based mask. CPU implementation in kernels/cpu/dropout.cpp, CUDA one in
// kernels/cuda/dropout.cu (the same Philox words, so the same mask).
#include <cstdint>

namespace tapeflow::kernels {
namespace cpu {

// y[i] = 0 with probability `rate`, else x[i] / (1 - rate). Element i is decided by word i % 4 of Philox
// block `counter + i / 4` under `key`, so the mask depends on (key, counter, i) alone: not on threads,
// and the same for any tensor of the same size (the backward applies the mask to the gradient).
void dropout(const float* x, float* y, int64_t n, uint64_t key, uint64_t counter, float rate);

}  // namespace cpu

namespace cuda {

// The same on CUDA device `device`, queued on its compute stream: bit-identical masks.
void dropout(int device, const float* x, float* y, int64_t n, uint64_t key, uint64_t counter, float rate);

}  // namespace cuda
}  // namespace tapeflow::kernels
