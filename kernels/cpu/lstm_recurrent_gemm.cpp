// The recurrent products of an LSTM sequence on the CPU (kernels/lstm.h): a [m, k] times a matrix packed
// once per sequence into 32-column panels, k-major, so that each step streams one contiguous panel per
// 32 output columns. The AVX-512 micro-kernel keeps a 10 x 32 tile of C in 20 registers (at the char-RNN's
// m = 50, five row blocks share each panel while it sits in L1); dnnl_sgemm reached ~40 GFLOP/s at these
// skinny shapes. Machines without AVX-512 run the same tiles as plain loops.
#include <immintrin.h>

#include <algorithm>
#include <array>

#include "kernels/lstm.h"

namespace tapeflow::kernels::cpu {

namespace {

constexpr int kPanel = 32;  // columns per panel: two AVX-512 vectors
constexpr int kRows = 10;   // rows per tile: 20 accumulators of the 32 registers
constexpr int64_t kDepth = 256;  // k per pass over a panel: 32 KB of it, which stays in L1 for all row tiles

int64_t panel_count(int64_t n) { return (n + kPanel - 1) / kPanel; }

// C rows [MR] x columns [cols <= 32] (+)= A rows [MR] x one panel's k rows.
template <int MR>
__attribute__((target("avx512f"))) void tile_avx512(const float* a, int64_t lda, const float* panel, int64_t k,
                                                    float* c, int64_t ldc, int cols, bool accumulate) {
  const __mmask16 mask_lo = cols >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 mask_hi = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : static_cast<__mmask16>((1u << (cols - 16)) - 1);
  __m512 lo[MR], hi[MR];
  for (int i = 0; i < MR; ++i) {
    lo[i] = accumulate ? _mm512_maskz_loadu_ps(mask_lo, c + i * ldc) : _mm512_setzero_ps();
    hi[i] = accumulate ? _mm512_maskz_loadu_ps(mask_hi, c + i * ldc + 16) : _mm512_setzero_ps();
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const __m512 b_lo = _mm512_loadu_ps(panel + kk * kPanel);
    const __m512 b_hi = _mm512_loadu_ps(panel + kk * kPanel + 16);
    for (int i = 0; i < MR; ++i) {
      const __m512 a_i = _mm512_set1_ps(a[i * lda + kk]);
      lo[i] = _mm512_fmadd_ps(a_i, b_lo, lo[i]);
      hi[i] = _mm512_fmadd_ps(a_i, b_hi, hi[i]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    _mm512_mask_storeu_ps(c + i * ldc, mask_lo, lo[i]);
    _mm512_mask_storeu_ps(c + i * ldc + 16, mask_hi, hi[i]);
  }
}

template <int MR>
void tile_portable(const float* a, int64_t lda, const float* panel, int64_t k, float* c, int64_t ldc, int cols,
                   bool accumulate) {
  float acc[MR][kPanel] = {};
  if (accumulate)
    for (int i = 0; i < MR; ++i) std::copy_n(c + i * ldc, cols, acc[i]);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < kPanel; ++j) acc[i][j] += a[i * lda + kk] * panel[kk * kPanel + j];
  for (int i = 0; i < MR; ++i) std::copy_n(acc[i], cols, c + i * ldc);
}

using Tile = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t, int, bool);
using Tiles = std::array<Tile, kRows>;  // [r] handles r + 1 rows

void times_panels(const Tiles& tiles, const float* a, const float* panels, int64_t m, int64_t k,
                  int64_t n, float* c) {
  const int64_t count = panel_count(n);
#pragma omp parallel for schedule(static) if (m * n * k > (1 << 20))
  for (int64_t p = 0; p < count; ++p) {
    const int cols = static_cast<int>(std::min<int64_t>(kPanel, n - p * kPanel));
    for (int64_t k0 = 0; k0 == 0 || k0 < k; k0 += kDepth) {  // once when k == 0: C = 0
      const int64_t depth = std::min(kDepth, k - k0);
      for (int64_t row = 0; row < m; row += kRows) {
        const int64_t rows = std::min<int64_t>(kRows, m - row);
        tiles[rows - 1](a + row * k + k0, k, panels + (p * k + k0) * kPanel, depth, c + row * n + p * kPanel, n, cols,
                        /*accumulate=*/k0 > 0);
      }
    }
  }
}

}  // namespace

int64_t recurrent_panels_size(int64_t k, int64_t n) { return k * panel_count(n) * kPanel; }

void pack_recurrent_panels(const float* b, bool transpose_b, int64_t k, int64_t n, float* panels) {
  const int64_t count = panel_count(n);
#pragma omp parallel for if (k * n > (1 << 16))
  for (int64_t p = 0; p < count; ++p)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t j = 0; j < kPanel; ++j) {
        const int64_t col = p * kPanel + j;
        panels[(p * k + kk) * kPanel + j] = col >= n ? 0.f : transpose_b ? b[col * k + kk] : b[kk * n + col];
      }
}

void times_recurrent_panels(const float* a, const float* panels, int64_t m, int64_t k, int64_t n, float* c) {
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (!avx512) return times_recurrent_panels_portable(a, panels, m, k, n, c);
  static constexpr Tiles tiles = {tile_avx512<1>, tile_avx512<2>, tile_avx512<3>, tile_avx512<4>, tile_avx512<5>,
                                  tile_avx512<6>, tile_avx512<7>, tile_avx512<8>, tile_avx512<9>, tile_avx512<10>};
  times_panels(tiles, a, panels, m, k, n, c);
}

void times_recurrent_panels_portable(const float* a, const float* panels, int64_t m, int64_t k, int64_t n, float* c) {
  static constexpr Tiles tiles = {tile_portable<1>, tile_portable<2>, tile_portable<3>, tile_portable<4>,
                                  tile_portable<5>, tile_portable<6>, tile_portable<7>, tile_portable<8>,
                                  tile_portable<9>, tile_portable<10>};
  times_panels(tiles, a, panels, m, k, n, c);
}

}  // namespace tapeflow::kernels::cpu
