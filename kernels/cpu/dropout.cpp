#include "kernels/dropout.h"

#include "kernels/philox.h"

namespace tapeflow::kernels::cpu {

void dropout_mask(float* mask, int64_t n, uint64_t key, uint64_t counter, float rate) {
  const float keep_scale = 1.f / (1.f - rate);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t b = 0; b < (n + 3) / 4; ++b) {
    const Philox4x32 r = philox4x32(key, counter + b);
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) mask[4 * b + j] = uint_to_unit_float(r.x[j]) < rate ? 0.f : keep_scale;
  }
}

}  // namespace tapeflow::kernels::cpu
