// CUDA twins of kernels/cpu/softmax.cpp. Along the last axis (inner == 1) a group of lanes, a warp, or a
// block (launch_rows picks by row length) normalises each row: max, then sum of exp, then the write, each a
// strided pass over the row (re-read from L1/L2) and a shuffle reduction. Along another axis a thread walks
// each lane.
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/softmax_row.cuh"
#include "kernels/softmax.h"

namespace tapeflow::kernels::cuda {

namespace {

// x, y: [rows, n].
template <class G>
__global__ void softmax_rows(const float* x, float* y, int64_t rows, int64_t n, bool log) {
  for (int64_t r = G::first_row(); r < rows; r += G::row_stride()) {  // uniform over the group
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const float m = row_max<G>(xr, n);
    const float sum = row_sum_exp<G>(xr, n, m);
    // log: (x - m) first, exact for the large entries, as the CPU.
    const float log_sum = logf(sum), inv = 1.f / sum;
    for (int64_t k = G::rank(); k < n; k += G::size()) yr[k] = log ? (xr[k] - m) - log_sum : expf(xr[k] - m) * inv;
  }
}

// dx = y * (dy - sum(dy * y)), or for log_softmax dx = dy - exp(y) * sum(dy).
template <class G>
__global__ void softmax_backward_rows(const float* y, const float* dy, float* dx, int64_t rows, int64_t n, bool log) {
  for (int64_t r = G::first_row(); r < rows; r += G::row_stride()) {
    const int64_t at = r * n;
    float s = 0.f;
    for (int64_t k = G::rank(); k < n; k += G::size()) s += log ? dy[at + k] : dy[at + k] * y[at + k];
    s = G::reduce(s, AddOp{});
    for (int64_t k = G::rank(); k < n; k += G::size()) {
      const int64_t i = at + k;
      dx[i] = log ? dy[i] - expf(y[i]) * s : y[i] * (dy[i] - s);
    }
  }
}

// Lanes of [outer, n, inner] with inner > 1: thread j normalises lane (j / inner, j % inner), whose
// elements are inner apart; neighbouring threads read neighbouring addresses.
__global__ void softmax_lanes(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  for (int64_t j = global_thread(); j < outer * inner; j += grid_threads()) {
    const int64_t at = (j / inner) * n * inner + j % inner;
    float m = -INFINITY;
    for (int64_t k = 0; k < n; ++k) m = x[at + k * inner] > m ? x[at + k * inner] : m;
    float sum = 0.f;
    for (int64_t k = 0; k < n; ++k) sum += expf(x[at + k * inner] - m);
    const float log_sum = logf(sum), inv = 1.f / sum;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = at + k * inner;
      y[i] = log ? (x[i] - m) - log_sum : expf(x[i] - m) * inv;
    }
  }
}

__global__ void softmax_backward_lanes(const float* y, const float* dy, float* dx, int64_t outer, int64_t n,
                                       int64_t inner, bool log) {
  for (int64_t j = global_thread(); j < outer * inner; j += grid_threads()) {
    const int64_t at = (j / inner) * n * inner + j % inner;
    float s = 0.f;
    for (int64_t k = 0; k < n; ++k) s += log ? dy[at + k * inner] : dy[at + k * inner] * y[at + k * inner];
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = at + k * inner;
      dx[i] = log ? dy[i] - expf(y[i]) * s : y[i] * (dy[i] - s);
    }
  }
}

}  // namespace

void softmax(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  if (outer * n * inner == 0) return;
  if (inner == 1) {
    return launch_rows(device, outer, n, [&](auto group, unsigned grid, int threads, cudaStream_t stream) {
      softmax_rows<decltype(group)><<<grid, threads, 0, stream>>>(x, y, outer, n, log);
    });
  }
  softmax_lanes<<<grid_for(device, outer * inner), kThreads, 0, stream_for(device)>>>(x, y, outer, n, inner, log);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

void softmax_backward(int device, const float* y, const float* dy, float* dx, int64_t outer, int64_t n, int64_t inner,
                      bool log) {
  if (outer * n * inner == 0) return;
  if (inner == 1) {
    return launch_rows(device, outer, n, [&](auto group, unsigned grid, int threads, cudaStream_t stream) {
      softmax_backward_rows<decltype(group)><<<grid, threads, 0, stream>>>(y, dy, dx, outer, n, log);
    });
  }
  softmax_backward_lanes<<<grid_for(device, outer * inner), kThreads, 0, stream_for(device)>>>(y, dy, dx, outer, n,
                                                                                              inner, log);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
