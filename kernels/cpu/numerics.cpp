#include "kernels/numerics.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tapeflow::kernels::cpu {

int64_t first_non_finite(const float* x, int64_t n) {
  // Blocks of 1024 with a branch-free test on the bits (all exponent bits set: NaN or ±Inf), which the
  // compiler vectorizes, so the common all-finite case streams; the index is searched only in a bad block.
  constexpr int64_t kBlock = 1024;
  constexpr uint32_t kExponent = 0x7f800000u;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    uint32_t any = 0;
    for (int64_t i = start; i < end; ++i) any |= (std::bit_cast<uint32_t>(x[i]) & kExponent) == kExponent;
    if (!any) continue;
    for (int64_t i = start; i < end; ++i)
      if (!std::isfinite(x[i])) return i;
  }
  return -1;
}

}  // namespace tapeflow::kernels::cpu
