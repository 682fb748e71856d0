// CUDA twin of kernels/cpu/numerics.cpp.
#include "kernels/cuda/bad_input.cuh"
#include "kernels/cuda/launch.cuh"
#include "kernels/numerics.h"

namespace tapeflow::kernels::cuda {

namespace {

// Grid-stride over x[0, n); the smallest index of a non-finite element wins (atomicMin on "none" = all ones).
__global__ void first_non_finite_kernel(const float* x, int64_t n, unsigned long long* first_bad) {
  for (int64_t i = global_thread(); i < n; i += grid_threads())
    if (!isfinite(x[i])) atomicMin(first_bad, static_cast<unsigned long long>(i));
}

}  // namespace

int64_t first_non_finite(int device, const float* x, int64_t n, void* scratch) {
  if (n == 0) return -1;
  const cudaStream_t stream = stream_for(device);
  auto* first_bad = static_cast<unsigned long long*>(scratch);
  TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(first_bad, 0xFF, sizeof(unsigned long long), stream));
  first_non_finite_kernel<<<grid_for(device, n), kThreads, 0, stream>>>(x, n, first_bad);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
  unsigned long long bad = 0;
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(&bad, first_bad, sizeof bad, cudaMemcpyDeviceToHost, stream));
  wait_for_stream(device);
  return bad == ~0ull ? -1 : static_cast<int64_t>(bad);
}

}  // namespace tapeflow::kernels::cuda
