#pragma once
// Finding NaN and ±Inf in float32 data, for debugging::enable_check_numerics. CPU implementation in
// kernels/cpu/numerics.cpp, CUDA one in kernels/cuda/numerics.cu.
#include <cstdint>

namespace tapeflow::kernels {
namespace cpu {

// The index of the first element of x[0, n) that is NaN or ±Inf, or -1 when all are finite.
int64_t first_non_finite(const float* x, int64_t n);

}  // namespace cpu

namespace cuda {

// The same on CUDA device `device`; `scratch` is 8 bytes of its memory. Waits for the device's stream.
int64_t first_non_finite(int device, const float* x, int64_t n, void* scratch);

}  // namespace cuda
}  // namespace tapeflow::kernels
