#include "kernels/lstm.h"

#include "kernels/lstm_math.h"

namespace tapeflow::kernels::cpu {

void lstm_cell_forward(const float* z, const float* c, float* h_next, float* c_next, LstmShape s) {
#pragma omp parallel for if (s.batch * s.units > 16384)
  for (int64_t b = 0; b < s.batch; ++b) {
    const float* z_row = z + b * 4 * s.units;
    for (int64_t j = 0; j < s.units; ++j) {
      const lstm_math::Gates a = lstm_math::gates(z_row, s.units, j);
      const int64_t k = b * s.units + j;
      c_next[k] = a.f * c[k] + a.i * a.g;
      h_next[k] = a.o * std::tanh(c_next[k]);
    }
  }
}

void lstm_cell_backward(const float* z, const float* c, const float* dh_next, const float* dc_next, float* dz,
                        float* dc, LstmShape s) {
#pragma omp parallel for if (s.batch * s.units > 16384)
  for (int64_t b = 0; b < s.batch; ++b) {
    const float* z_row = z + b * 4 * s.units;
    float* dz_row = dz + b * 4 * s.units;
    for (int64_t j = 0; j < s.units; ++j) {
      const int64_t k = b * s.units + j;
      lstm_math::backward(lstm_math::gates(z_row, s.units, j), c[k], dh_next ? dh_next[k] : 0.f,
                          dc_next ? dc_next[k] : 0.f, &dz_row[j], &dz_row[s.units + j], &dz_row[2 * s.units + j],
                          &dz_row[3 * s.units + j], &dc[k]);
    }
  }
}

}  // namespace tapeflow::kernels::cpu
