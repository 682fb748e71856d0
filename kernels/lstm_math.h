#pragma once
// One LSTM cell element, forward and backward, shared by the CPU and CUDA kernels (kernels/lstm.h).
#include <cmath>

#ifdef __CUDACC__
#define TAPEFLOW_HOST_DEVICE __host__ __device__
#else
#define TAPEFLOW_HOST_DEVICE
#endif

namespace tapeflow::kernels::lstm_math {

TAPEFLOW_HOST_DEVICE inline float sigmoid(float x) { return 1.f / (1.f + expf(-x)); }

struct Gates {
  float i, f, g, o;
};

// z_row points at one example's 4u pre-activations; j is the unit.
TAPEFLOW_HOST_DEVICE inline Gates gates(const float* z_row, long long units, long long j) {
  return {sigmoid(z_row[j]), sigmoid(z_row[units + j]), tanhf(z_row[2 * units + j]), sigmoid(z_row[3 * units + j])};
}

// dz for the four gates and dc for the previous state, from dh' and dc'.
TAPEFLOW_HOST_DEVICE inline void backward(const Gates& a, float c, float dh_next, float dc_next, float* dz_i,
                                          float* dz_f, float* dz_g, float* dz_o, float* dc) {
  const float c_next = a.f * c + a.i * a.g;
  const float tanh_c = tanhf(c_next);
  const float dc_total = dc_next + dh_next * a.o * (1.f - tanh_c * tanh_c);
  *dz_i = dc_total * a.g * a.i * (1.f - a.i);
  *dz_f = dc_total * c * a.f * (1.f - a.f);
  *dz_g = dc_total * a.i * (1.f - a.g * a.g);
  *dz_o = dh_next * tanh_c * a.o * (1.f - a.o);
  *dc = dc_total * a.f;
}

}  // namespace tapeflow::kernels::lstm_math
