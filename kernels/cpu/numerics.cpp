#include "kernels/numerics.h"

#include <algorithm>
#include <cmath>

namespace tapeflow::kernels::cpu {

int64_t first_non_finite(const float* x, int64_t n) {
  // Blocks of 1024 with a branch-free test each (vectorizes), so the common all-finite case streams.
  constexpr int64_t kBlock = 1024;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    bool any = false;
    for (int64_t i = start; i < end; ++i) any |= !std::isfinite(x[i]);
    if (!any) continue;
    for (int64_t i = start; i < end; ++i)
      if (!std::isfinite(x[i])) return i;
  }
  return -1;
}

}  // namespace tapeflow::kernels::cpu
