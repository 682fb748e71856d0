// CUDA twin of kernels/cpu/lstm.cpp: one thread per (example, unit), grid-stride, the same element
// math (kernels/lstm_math.h) as the CPU.
#include "kernels/cuda/launch.cuh"
#include "kernels/lstm.h"
#include "kernels/lstm_math.h"

namespace tapeflow::kernels::cuda {

namespace {

__global__ void lstm_forward_kernel(const float* z, const float* c, float* h_next, float* c_next, LstmShape s) {
  for (int64_t k = global_thread(); k < s.batch * s.units; k += grid_threads()) {
    const int64_t b = k / s.units, j = k % s.units;
    const lstm_math::Gates a = lstm_math::gates(z + b * 4 * s.units, s.units, j);
    c_next[k] = a.f * c[k] + a.i * a.g;
    h_next[k] = a.o * tanhf(c_next[k]);
  }
}

__global__ void lstm_backward_kernel(const float* z, const float* c, const float* dh_next, const float* dc_next,
                                     float* dz, float* dc, LstmShape s) {
  for (int64_t k = global_thread(); k < s.batch * s.units; k += grid_threads()) {
    const int64_t b = k / s.units, j = k % s.units;
    float* dz_row = dz + b * 4 * s.units;
    lstm_math::backward(lstm_math::gates(z + b * 4 * s.units, s.units, j), c[k], dh_next ? dh_next[k] : 0.f,
                        dc_next ? dc_next[k] : 0.f, &dz_row[j], &dz_row[s.units + j], &dz_row[2 * s.units + j],
                        &dz_row[3 * s.units + j], &dc[k]);
  }
}

}  // namespace

void lstm_cell_forward(int device, const float* z, const float* c, float* h_next, float* c_next, LstmShape s) {
  if (s.batch * s.units == 0) return;
  lstm_forward_kernel<<<grid_for(device, s.batch * s.units), kThreads, 0, stream_for(device)>>>(z, c, h_next, c_next,
                                                                                                 s);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

void lstm_cell_backward(int device, const float* z, const float* c, const float* dh_next, const float* dc_next,
                        float* dz, float* dc, LstmShape s) {
  if (s.batch * s.units == 0) return;
  lstm_backward_kernel<<<grid_for(device, s.batch * s.units), kThreads, 0, stream_for(device)>>>(
      z, c, dh_next, dc_next, dz, dc, s);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
