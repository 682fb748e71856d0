#include "kernels/dropout.h"

#include "kernels/philox.h"

namespace tapeflow::kernels::cpu {

void dropout(const float* x, float* y, int64_t n, uint64_t key, uint64_t counter, float rate) {
  // Compared on all 32 bits: a word below rate * 2^32 drops its element.
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(rate) * 4294967296.0);
  const float scale = 1.f / (1.f - rate);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t b = 0; b < (n + 3) / 4; ++b) {
    const Philox4x32 r = philox4x32(key, counter + b);
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) y[4 * b + j] = r.x[j] < threshold ? 0.f : x[4 * b + j] * scale;
  }
}

}  // namespace tapeflow::kernels::cpu
