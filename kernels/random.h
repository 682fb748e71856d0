#pragma once
// Random fills from Philox4x32-10. Element i of a draw reads word i % 4 of block `counter + i / 4`
// under `key`, so results do not depend on threads or devices. CPU: kernels/cpu/random.cpp; CUDA:
// kernels/cuda/random.cu (the same Philox words, so integer draws are bit-identical and float draws
// differ at most by rounding: FMA contraction, the device's sqrtf/logf/sinf/cosf).
#include <cstdint>

namespace tapeflow::kernels {
namespace cpu {

void philox_uniform(float* out, int64_t n, uint64_t key, uint64_t counter, float minval, float maxval);
void philox_normal(float* out, int64_t n, uint64_t key, uint64_t counter, float mean, float stddev);
// Draws beyond two standard deviations are redrawn from the block's later "attempt" counters.
void philox_truncated_normal(float* out, int64_t n, uint64_t key, uint64_t counter, float mean, float stddev);
void philox_uniform_int(int64_t* out, int64_t n, uint64_t key, uint64_t counter, int64_t minval, int64_t maxval);

}  // namespace cpu

// The same draws into memory of CUDA device `device`, queued on its compute stream.
namespace cuda {

void philox_uniform(int device, float* out, int64_t n, uint64_t key, uint64_t counter, float minval, float maxval);
void philox_normal(int device, float* out, int64_t n, uint64_t key, uint64_t counter, float mean, float stddev);
void philox_truncated_normal(int device, float* out, int64_t n, uint64_t key, uint64_t counter, float mean,
                             float stddev);
void philox_uniform_int(int device, int64_t* out, int64_t n, uint64_t key, uint64_t counter, int64_t minval,
                        int64_t maxval);

}  // namespace cuda
}  // namespace tapeflow::kernels
