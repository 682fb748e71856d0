#include "kernels/reduction.h"

#include <limits>
#include <vector>

namespace tapeflow::kernels::cpu {

namespace {
constexpr int64_t kParallelAbove = 1 << 15;
}

void reduce_sum(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (outer * n > kParallelAbove)
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = x + o * n;
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t k = 0; k < n; ++k) s += row[k];
      y[o] = static_cast<float>(s);
    }
    return;
  }
  // Rows of `inner` are added in order k = 0..n-1; threads split the inner dim, never the sum.
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(2) schedule(static) if (outer * n * inner > kParallelAbove)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t begin = b * kBlock, width = std::min(kBlock, inner - begin);
      double acc[kBlock] = {};
      for (int64_t k = 0; k < n; ++k) {
        const float* row = x + (o * n + k) * inner + begin;
#pragma omp simd
        for (int64_t i = 0; i < width; ++i) acc[i] += row[i];
      }
      for (int64_t i = 0; i < width; ++i) y[o * inner + begin + i] = static_cast<float>(acc[i]);
    }
}

void reduce_max(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
#pragma omp parallel for collapse(2) schedule(static) if (outer * n * inner > kParallelAbove)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < n; ++k) {
        const float v = x[(o * n + k) * inner + i];
        m = v > m || v != v ? v : m;  // NaN propagates, as in TF
      }
      y[o * inner + i] = m;
    }
}

void argmax(const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner) {
#pragma omp parallel for collapse(2) schedule(static) if (outer * n * inner > kParallelAbove)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k)
        if (x[(o * n + k) * inner + i] > x[(o * n + best) * inner + i]) best = k;
      y[o * inner + i] = best;
    }
}

}  // namespace tapeflow::kernels::cpu
