#pragma once
#include <cstdint>

namespace tapeflow::kernels::cpu {

// mask[i] = 0 with probability `rate`, else 1 / (1 - rate); element i reads word i % 4 of Philox block
// `counter + i / 4` under `key`, so the mask is the same for any thread count.
void dropout_mask(float* mask, int64_t n, uint64_t key, uint64_t counter, float rate);

}  // namespace tapeflow::kernels::cpu
