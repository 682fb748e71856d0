// CUDA twin of kernels/cpu/dropout.cpp: thread b draws Philox block `counter + b` (kernels/philox.h,
// the same code on both sides) and decides elements 4b .. 4b+3 with its four words, so the mask is
// bit-identical to the CPU's for the same key, counter and size.
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/dropout.h"
#include "kernels/philox.h"

namespace tapeflow::kernels::cuda {

namespace {

// kPacked: x and y are 16-byte aligned, so whole blocks move as one float4 (the last, partial block
// element by element).
template <bool kPacked>
__global__ void dropout_kernel(const float* x, float* y, int64_t n, uint64_t key, uint64_t counter, uint64_t threshold,
                               float scale) {
  const int64_t blocks = (n + 3) / 4;
  for (int64_t b = global_thread(); b < blocks; b += grid_threads()) {
    const Philox4x32 r = philox4x32(key, counter + static_cast<uint64_t>(b));
    if (kPacked && 4 * b + 4 <= n) {
      const float4 in = reinterpret_cast<const float4*>(x)[b];
      const float4 out{r.x[0] < threshold ? 0.f : in.x * scale, r.x[1] < threshold ? 0.f : in.y * scale,
                       r.x[2] < threshold ? 0.f : in.z * scale, r.x[3] < threshold ? 0.f : in.w * scale};
      reinterpret_cast<float4*>(y)[b] = out;
      continue;
    }
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) y[4 * b + j] = r.x[j] < threshold ? 0.f : x[4 * b + j] * scale;
  }
}

}  // namespace

void dropout(int device, const float* x, float* y, int64_t n, uint64_t key, uint64_t counter, float rate) {
  if (n == 0) return;
  // As the CPU: a word below rate * 2^32 drops its element.
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(rate) * 4294967296.0);
  const float scale = 1.f / (1.f - rate);
  const int64_t blocks = (n + 3) / 4;
  const cudaStream_t stream = stream_for(device);
  if (aligned_to(x, 16) && aligned_to(y, 16)) {
    dropout_kernel<true><<<grid_for(device, blocks), kThreads, 0, stream>>>(x, y, n, key, counter, threshold, scale);
  } else {
    dropout_kernel<false><<<grid_for(device, blocks), kThreads, 0, stream>>>(x, y, n, key, counter, threshold, scale);
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
