// CUDA twin of kernels/cpu/lstm.cpp: one thread per (example, unit), grid-stride, the same element
// math (kernels/lstm_math.h) as the CPU.
#include "kernels/cuda/launch.cuh"
#include "kernels/lstm.h"
#include "kernels/lstm_math.h"

namespace tapeflow::kernels::cuda {

namespace {

// Gates from z_in (+ x_gates when given); z_out, when given, receives the sum (lstm_step_forward passes
// z_in == z_out: each thread reads its four elements before writing them).
__global__ void lstm_forward_kernel(const float* x_gates, const float* z_in, float* z_out, const float* c,
                                    float* h_next, float* c_next, LstmShape s) {
  for (int64_t k = global_thread(); k < s.batch * s.units; k += grid_threads()) {
    const int64_t b = k / s.units, j = k % s.units;
    float z[4];
    for (int gate = 0; gate < 4; ++gate) {
      const int64_t at = b * 4 * s.units + gate * s.units + j;
      z[gate] = z_in[at] + (x_gates ? x_gates[at] : 0.f);
      if (z_out) z_out[at] = z[gate];
    }
    const lstm_math::Gates a = lstm_math::gates(z, 1, 0);
    c_next[k] = a.f * c[k] + a.i * a.g;
    h_next[k] = a.o * lstm_math::tanh(c_next[k]);
  }
}

__global__ void lstm_backward_kernel(const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                                     const float* dc_next, float* dz, float* dc, LstmShape s) {
  for (int64_t k = global_thread(); k < s.batch * s.units; k += grid_threads()) {
    const int64_t b = k / s.units, j = k % s.units;
    float* dz_row = dz + b * 4 * s.units;
    const float dh = (dh_next ? dh_next[k] : 0.f) + (dh_recurrent ? dh_recurrent[k] : 0.f);
    const lstm_math::Gradients d = lstm_math::backward(lstm_math::gates(z + b * 4 * s.units, s.units, j), c[k], dh,
                                                       dc_next ? dc_next[k] : 0.f);
    dz_row[j] = d.z_i;
    dz_row[s.units + j] = d.z_f;
    dz_row[2 * s.units + j] = d.z_g;
    dz_row[3 * s.units + j] = d.z_o;
    dc[k] = d.c;
  }
}

void launch_forward(int device, const float* x_gates, const float* z_in, float* z_out, const float* c,
                    float* h_next, float* c_next, LstmShape s) {
  if (s.batch * s.units == 0) return;
  lstm_forward_kernel<<<grid_for(device, s.batch * s.units), kThreads, 0, stream_for(device)>>>(
      x_gates, z_in, z_out, c, h_next, c_next, s);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace

void lstm_cell_forward(int device, const float* z, const float* c, float* h_next, float* c_next, LstmShape s) {
  launch_forward(device, nullptr, z, nullptr, c, h_next, c_next, s);
}

void lstm_step_forward(int device, const float* x_gates, float* z, const float* c, float* h_next, float* c_next,
                       LstmShape s) {
  launch_forward(device, x_gates, z, z, c, h_next, c_next, s);
}

void lstm_cell_backward(int device, const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                        const float* dc_next, float* dz, float* dc, LstmShape s) {
  if (s.batch * s.units == 0) return;
  lstm_backward_kernel<<<grid_for(device, s.batch * s.units), kThreads, 0, stream_for(device)>>>(
      z, c, dh_next, dh_recurrent, dc_next, dz, dc, s);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
