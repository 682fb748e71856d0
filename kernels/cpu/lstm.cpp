#include "kernels/lstm.h"

#include "kernels/lstm_math.h"

namespace tapeflow::kernels::cpu {

// Each element costs five exponentials: from a few thousand on, threads pay for their start.
constexpr int64_t kParallelElements = 4096;

void lstm_cell_forward(const float* z, const float* c, float* h_next, float* c_next, LstmShape s) {
#pragma omp parallel for if (s.batch * s.units > kParallelElements)
  for (int64_t b = 0; b < s.batch; ++b) {
    const float* z_row = z + b * 4 * s.units;
#pragma omp simd
    for (int64_t j = 0; j < s.units; ++j) {
      const lstm_math::Gates a = lstm_math::gates(z_row, s.units, j);
      const int64_t k = b * s.units + j;
      c_next[k] = a.f * c[k] + a.i * a.g;
      h_next[k] = a.o * lstm_math::tanh(c_next[k]);
    }
  }
}

void lstm_step_forward(const float* x_gates, float* z, const float* c, float* h_next, float* c_next, LstmShape s) {
  const int64_t n = s.batch * 4 * s.units;  // 200 KB at the char-RNN's shape: still in L2 for the cell pass
#pragma omp simd
  for (int64_t k = 0; k < n; ++k) z[k] += x_gates[k];
  lstm_cell_forward(z, c, h_next, c_next, s);
}

namespace {

// The backward over all rows, with the optional gradients present or not known at compile time: a null
// check inside the loop would keep it from vectorizing.
template <bool kDhNext, bool kDhRecurrent, bool kDcNext>
void backward_rows(const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                   const float* dc_next, float* dz, float* dc, LstmShape s) {
#pragma omp parallel for if (s.batch * s.units > kParallelElements)
  for (int64_t b = 0; b < s.batch; ++b) {
    const float* z_row = z + b * 4 * s.units;
    float* dz_row = dz + b * 4 * s.units;
#pragma omp simd
    for (int64_t j = 0; j < s.units; ++j) {
      const int64_t k = b * s.units + j;
      float dh = 0.f, dc_k = 0.f;
      if constexpr (kDhNext) dh += dh_next[k];
      if constexpr (kDhRecurrent) dh += dh_recurrent[k];
      if constexpr (kDcNext) dc_k = dc_next[k];
      const lstm_math::Gradients d = lstm_math::backward(lstm_math::gates(z_row, s.units, j), c[k], dh, dc_k);
      dz_row[j] = d.z_i;
      dz_row[s.units + j] = d.z_f;
      dz_row[2 * s.units + j] = d.z_g;
      dz_row[3 * s.units + j] = d.z_o;
      dc[k] = d.c;
    }
  }
}

using BackwardRows = void (*)(const float*, const float*, const float*, const float*, const float*, float*, float*,
                              LstmShape);
// [dh_next given][dh_recurrent given][dc_next given]
constexpr BackwardRows kBackwardRows[2][2][2] = {
    {{backward_rows<false, false, false>, backward_rows<false, false, true>},
     {backward_rows<false, true, false>, backward_rows<false, true, true>}},
    {{backward_rows<true, false, false>, backward_rows<true, false, true>},
     {backward_rows<true, true, false>, backward_rows<true, true, true>}}};

}  // namespace

void lstm_cell_backward(const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                        const float* dc_next, float* dz, float* dc, LstmShape s) {
  kBackwardRows[dh_next != nullptr][dh_recurrent != nullptr][dc_next != nullptr](z, c, dh_next, dh_recurrent, dc_next,
                                                                                   dz, dc, s);
}

}  // namespace tapeflow::kernels::cpu
