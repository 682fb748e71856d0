#pragma once
// The F(4x4, 5x5) Winograd convolution (kernels/cpu/winograd_5x5.h) for vectors of L floats over channels.
// Included by one translation unit per instruction set (isa_avx2.cpp, isa_avx512.cpp), each
// compiled for its ISA with floating-point contraction on, so `acc += a * b` is one FMA. Everything here has
// internal linkage, so the two instantiations never meet.
#include <omp.h>

#include <algorithm>
#include <type_traits>

#include "kernels/cpu/simd.h"
#include "kernels/cpu/winograd_5x5.h"

namespace tapeflow::kernels::cpu {
namespace {

using namespace winograd_5x5;

// The transforms for the interpolation points 0, +-1, +-2, +-1/2 and infinity (derived with Toom-Cook, checked
// against direct convolution in tests): y = A^T [(G g G^T) * (B^T d B)] A.
constexpr float kBT[kAlpha][kAlpha] = {
    {-1, 0, 21.f / 4, 0, -21.f / 4, 0, 1, 0},
    {0, 1, 1, -17.f / 4, -17.f / 4, 1, 1, 0},
    {0, -1, 1, 17.f / 4, -17.f / 4, -1, 1, 0},
    {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
    {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0},
    {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
    {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},
    {0, -1, 0, 21.f / 4, 0, -21.f / 4, 0, 1},
};
constexpr float kG[kAlpha][kTaps] = {
    {-1, 0, 0, 0, 0},
    {-2.f / 9, -2.f / 9, -2.f / 9, -2.f / 9, -2.f / 9},
    {-2.f / 9, 2.f / 9, -2.f / 9, 2.f / 9, -2.f / 9},
    {1.f / 90, 1.f / 45, 2.f / 45, 4.f / 45, 8.f / 45},
    {1.f / 90, -1.f / 45, 2.f / 45, -4.f / 45, 8.f / 45},
    {32.f / 45, 16.f / 45, 8.f / 45, 4.f / 45, 2.f / 45},
    {32.f / 45, -16.f / 45, 8.f / 45, -4.f / 45, 2.f / 45},
    {0, 0, 0, 0, 1},
};
constexpr float kAT[kTile][kAlpha] = {
    {1, 1, 1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0.5f, -0.5f, 0},
    {0, 1, 1, 4, 4, 0.25f, 0.25f, 0},
    {0, 1, -1, 8, -8, 0.125f, -0.125f, 1},
};

// The filter gradient is F(5x5, 4x4) on the same points: 5x5 taps from 8x8 input tiles (the same B^T) and 4x4
// tiles of the output gradient, dW = A'^T [sum over tiles of (G' dy G'^T) * (B^T x B)] A'.
constexpr float kGradientG[kAlpha][kTile] = {
    {-1, 0, 0, 0},
    {-2.f / 9, -2.f / 9, -2.f / 9, -2.f / 9},
    {-2.f / 9, 2.f / 9, -2.f / 9, 2.f / 9},
    {1.f / 90, 1.f / 45, 2.f / 45, 4.f / 45},
    {1.f / 90, -1.f / 45, 2.f / 45, -4.f / 45},
    {32.f / 45, 16.f / 45, 8.f / 45, 4.f / 45},
    {32.f / 45, -16.f / 45, 8.f / 45, -4.f / 45},
    {0, 0, 0, 1},
};
constexpr float kGradientAT[kTaps][kAlpha] = {
    {1, 1, 1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0.5f, -0.5f, 0},
    {0, 1, 1, 4, 4, 0.25f, 0.25f, 0},
    {0, 1, -1, 8, -8, 0.125f, -0.125f, 0},
    {0, 1, 1, 16, 16, 0.0625f, 0.0625f, 1},
};

// The points come in pairs +-p, at indices 1-2, 3-4 and 5-6. So the 8-row transforms (B^T, G, G') have each pair
// of rows equal in their even columns and opposite in their odd ones, and the 8-column transforms (A^T, A'^T)
// each pair of columns equal in their even rows and opposite in their odd ones (static_asserts check both). A
// pair then costs one sum and one difference of half-length sums: about 2/3 of the terms of the plain product.
constexpr int kPairs[] = {1, 3, 5};
template <class Matrix> constexpr int kRows = std::extent_v<Matrix, 0>;
template <class Matrix> constexpr int kColumns = std::extent_v<Matrix, 1>;
template <const auto& X> constexpr bool rows_paired() {
  using M = std::remove_cvref_t<decltype(X)>;
  for (int r : kPairs)
    for (int k = 0; k < kColumns<M>; ++k)
      if (X[r + 1][k] != (k % 2 ? -X[r][k] : X[r][k])) return false;
  return true;
}
template <const auto& X> constexpr bool columns_paired() {
  using M = std::remove_cvref_t<decltype(X)>;
  for (int p : kPairs)
    for (int r = 0; r < kRows<M>; ++r)
      if (X[r][p + 1] != (r % 2 ? -X[r][p] : X[r][p])) return false;
  return true;
}

// sum over k in {first, first + step, ...} of c(k) * in(k), for coefficients known once unrolled: zero terms
// vanish, +-1 needs no multiply, and the first term starts the sum (0 + x is not x for -0).
template <int L, int K, class Coefficient, class In>
inline Vec<L> dot(int first, int step, Coefficient c, In in) {
  Vec<L> sum{};
  bool started = false;
#pragma GCC unroll 8
  for (int k = first; k < K; k += step) {
    if (c(k) == 0) continue;
    sum = started ? sum + c(k) * in(k) : c(k) * in(k);
    started = true;
  }
  return sum;
}

// out[r * out_stride] = sum over k of X[r][k] * in[k * in_stride], for a constant transform X.
template <int L, const auto& X>
inline void multiply(const Vec<L>* in, int in_stride, Vec<L>* out, int out_stride) {
  using M = std::remove_cvref_t<decltype(X)>;
  constexpr int R = kRows<M>, K = kColumns<M>;
  const auto at = [&](int k) { return in[k * in_stride]; };
  if constexpr (R == kAlpha) {
    static_assert(rows_paired<X>());
    out[0] = dot<L, K>(0, 1, [](int k) { return X[0][k]; }, at);
    out[(kAlpha - 1) * out_stride] = dot<L, K>(0, 1, [](int k) { return X[kAlpha - 1][k]; }, at);
#pragma GCC unroll 3
    for (int r : kPairs) {
      const auto coefficient = [&](int k) { return X[r][k]; };
      const Vec<L> even = dot<L, K>(0, 2, coefficient, at), odd = dot<L, K>(1, 2, coefficient, at);
      out[r * out_stride] = even + odd;
      out[(r + 1) * out_stride] = even - odd;
    }
  } else {
    static_assert(K == kAlpha && columns_paired<X>());
    Vec<L> sums[kAlpha], differences[kAlpha];  // at the first point of each pair
    sums[0] = differences[0] = at(0);
    sums[kAlpha - 1] = differences[kAlpha - 1] = at(kAlpha - 1);
#pragma GCC unroll 3
    for (int p : kPairs) {
      sums[p] = at(p) + at(p + 1);
      differences[p] = at(p) - at(p + 1);
    }
    const auto paired = [](int k) { return k == 0 || k == kAlpha - 1 || k % 2 == 1; };
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
      out[r * out_stride] = dot<L, K>(
          0, 1, [&](int k) { return paired(k) ? X[r][k] : 0.f; },
          [&](int k) { return r % 2 ? differences[k] : sums[k]; });
  }
}

// X t X^T for a constant R x K transform X and a K x K tile t of vectors, t[i][j] = at(i, j), each result element
// handed to put(i, j, value). Column by column, then row by row, every loop unrolled: only the intermediate
// R x K tile leaves registers. The filter, input and output transforms are all this.
template <int L, const auto& X, class At, class Put>
inline void sandwich(At at, Put put) {
  using M = std::remove_cvref_t<decltype(X)>;
  constexpr int R = kRows<M>, K = kColumns<M>;
  Vec<L> rows[R][K];  // X t
#pragma GCC unroll 8
  for (int j = 0; j < K; ++j) {
    Vec<L> column[K];
#pragma GCC unroll 8
    for (int i = 0; i < K; ++i) column[i] = at(i, j);
    multiply<L, X>(column, 1, &rows[0][j], K);
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    Vec<L> out[R];
    multiply<L, X>(rows[i], 1, out, 1);
#pragma GCC unroll 8
    for (int j = 0; j < R; ++j) put(i, j, out[j]);
  }
}

// U [kPoints][c][o_pad] = G g G^T for each (input, output) channel pair of the HWIO filter; lanes past o are 0.
template <int L>
void transform_filter(const float* filter, int64_t c, int64_t o, int64_t o_pad, float* u) {
#pragma omp parallel for schedule(static)
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t oc = 0; oc < o; oc += L)
      sandwich<L, kG>(
          [&](int i, int j) { return load<L>(filter + ((i * kTaps + j) * c + ci) * o + oc, o - oc); },
          [&](int i, int j, Vec<L> point) { store<L>(u + ((i * kAlpha + j) * c + ci) * o_pad + oc, point); });
}

// The 4x4 output tiles of the batch, numbered image by image, row by row.
struct TileCorner {
  int64_t image, y, x;  // the tile's first output pixel
};
struct TileGrid {
  int64_t rows, cols;  // tiles per image
  int64_t tiles;       // over the batch
  explicit TileGrid(const Conv2DGeometry& g)
      : rows((g.oh + kTile - 1) / kTile), cols((g.ow + kTile - 1) / kTile), tiles(g.n * rows * cols) {}
  TileCorner corner(int64_t tile) const {
    return {tile / (rows * cols), tile / cols % rows * kTile, tile % cols * kTile};
  }
};

// out[p * point_stride + channel] = X t X^T for the side x side tile t of an NHWC image (image_h x image_w
// pixels of `channels`) whose corner is pixel (y0, x0); past the image's edge t reads as 0, and lanes past the
// last channel are written with 0. The input tiles (X = B^T) and the output-gradient tiles (X = G').
// Slices inside the image are read in place; the others (a tile over the edge, or the last slice when the
// channels fill no whole vector) are first copied into a zero-filled tile, so that the unrolled transform is
// compiled without a bounds check on every load.
template <int L, const auto& X>
void transform_tile(const float* image, int64_t image_h, int64_t image_w, int64_t channels, int64_t y0, int64_t x0,
                    float* out, int64_t point_stride) {
  using M = std::remove_cvref_t<decltype(X)>;
  constexpr int R = kRows<M>, kSide = kColumns<M>;
  const int64_t row = image_w * channels;
  const bool inside = y0 >= 0 && y0 + kSide <= image_h && x0 >= 0 && x0 + kSide <= image_w;
  for (int64_t ch = 0; ch < channels; ch += L) {
    const auto transform = [&](const float* t, int64_t t_row, int64_t t_col) {
      sandwich<L, X>(
          [&](int i, int j) { return load<L>(t + i * t_row + j * t_col); },
          [&](int i, int j, Vec<L> point) { store<L>(out + (i * R + j) * point_stride + ch, point); });
    };
    const float* corner = image + (y0 * image_w + x0) * channels + ch;
    const int64_t lanes = std::min<int64_t>(L, channels - ch);
    if (inside && lanes == L) {
      transform(corner, row, channels);
      continue;
    }
    float tile[kSide][kSide][L] = {};
    for (int64_t i = std::max<int64_t>(0, -y0); i < std::min<int64_t>(kSide, image_h - y0); ++i)
      for (int64_t j = std::max<int64_t>(0, -x0); j < std::min<int64_t>(kSide, image_w - x0); ++j)
        store<L>(tile[i][j], load<L>(corner + i * row + j * channels, lanes));
    transform(&tile[0][0][0], int64_t{kSide} * L, int64_t{L});
  }
}

// One L-channel slice of a 4x4 output tile, y[i][j] at y + i * row + j * col: A^T m A + bias, then ReLU, from
// m[p * point_stride].
template <int L>
void transform_output_slice(const float* m, int64_t point_stride, Vec<L> bias, bool relu, float* y, int64_t row,
                            int64_t col) {
  sandwich<L, kAT>(
      [&](int i, int j) { return load<L>(m + (i * kAlpha + j) * point_stride); },
      [&](int i, int j, Vec<L> out) {
        out += bias;
        if (relu) out = relu_vector<L>(out);
        store<L>(y + i * row + j * col, out);
      });
}

// The 4x4 output tile at (y0, x0) of out_image = A^T m A (+ bias, ReLU), from m[p * point_stride + channel].
// Slices inside the image are written in place; the others (tiles over the edge, the last slice when o is not a
// multiple of L) through a local tile, of which only the part inside is copied out.
template <int L>
void transform_output(const float* m, int64_t point_stride, const float* bias, bool relu, const Conv2DGeometry& g,
                      int64_t y0, int64_t x0, float* out_image) {
  const bool inside = y0 + kTile <= g.oh && x0 + kTile <= g.ow;
  for (int64_t oc = 0; oc < g.o; oc += L) {
    const int64_t lanes = std::min<int64_t>(L, g.o - oc);
    const Vec<L> b = bias ? load<L>(bias + oc, lanes) : Vec<L>{};
    float* corner = out_image + (y0 * g.ow + x0) * g.o + oc;
    if (inside && lanes == L) {
      transform_output_slice<L>(m + oc, point_stride, b, relu, corner, g.ow * g.o, g.o);
      continue;
    }
    float tile[kTile][kTile][L];
    transform_output_slice<L>(m + oc, point_stride, b, relu, &tile[0][0][0], kTile * L, L);
    for (int64_t i = 0; i < std::min<int64_t>(kTile, g.oh - y0); ++i)
      for (int64_t j = 0; j < std::min<int64_t>(kTile, g.ow - x0); ++j)
        store<L>(corner + (i * g.ow + j) * g.o, load<L>(tile[i][j]), lanes);
  }
}

// How the GEMMs read a and write c: the forward's c = a b, or the filter gradient's c += a^T b (a stored k x rows).
struct GemmForm {
  bool transposed_a, accumulate;
};
constexpr GemmForm kProduct{false, false}, kAccumulateTransposed{true, true};

// c [R x NV * L] (=, or +=) a [R x k] b [k x NV * L] for row-major blocks, k >= 1: the accumulators stay in
// registers while k runs; b's rows stay in L1 across the row blocks. The first product initialises the
// accumulators, so no path leaves them zero (which makes GCC keep them in memory).
template <int L, GemmForm F, int R, int NV>
void gemm_block(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc, int64_t k) {
  const auto a_at = [&](int i, int64_t p) { return splat<L>(F.transposed_a ? a[p * lda + i] : a[i * lda + p]); };
  Vec<L> acc[R][NV];
#pragma GCC unroll 8
  for (int j = 0; j < NV; ++j) {
    const Vec<L> b0 = load<L>(b + j * L);
#pragma GCC unroll 24
    for (int i = 0; i < R; ++i) {
      acc[i][j] = a_at(i, 0) * b0;
      if constexpr (F.accumulate) acc[i][j] += load<L>(c + i * ldc + j * L);
    }
  }
  for (int64_t p = 1; p < k; ++p) {
    Vec<L> bp[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) bp[j] = load<L>(b + p * ldb + j * L);
#pragma GCC unroll 24
    for (int i = 0; i < R; ++i) {
      const Vec<L> ai = a_at(i, p);
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) acc[i][j] += ai * bp[j];
    }
  }
#pragma GCC unroll 24
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) store<L>(c + i * ldc + j * L, acc[i][j]);
}

// gemm_block with R <= kTileRows rows and NV column vectors, R chosen at run time (the last rows).
template <int L, GemmForm F, int NV, int R = kTileRows<L, NV>>
void gemm_rows(int rows, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
               int64_t k) {
  if constexpr (R > 1)
    if (rows < R) return gemm_rows<L, F, NV, R - 1>(rows, a, lda, b, ldb, c, ldc, k);
  gemm_block<L, F, R, NV>(a, lda, b, ldb, c, ldc, k);
}

// c [rows x n] (=, or +=) a [rows x k] (or a^T) b [k x n], n a multiple of L, over column blocks of NV vectors
// (fewer for the last); leading dimensions in floats.
template <int L, GemmForm F, int NV = kMaxVectors<L>>
void gemm(int64_t rows, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc) {
  if constexpr (NV > 1)
    if (n < NV * L) return gemm<L, F, NV - 1>(rows, n, k, a, lda, b, ldb, c, ldc);
  constexpr int64_t kRows = kTileRows<L, NV>;
  for (int64_t i = 0; i < rows; i += kRows)
    gemm_rows<L, F, NV>(static_cast<int>(std::min(kRows, rows - i)), a + (F.transposed_a ? i : i * lda), lda, b, ldb,
                        c + i * ldc, ldc, k);
  if (n > NV * L) gemm<L, F>(rows, n - NV * L, k, a, lda, b + NV * L, ldb, c + NV * L, ldc);
}

// Per block of kBlockTiles tiles (the blocks shared among the threads): transform the input tiles, multiply them
// with the transformed filter at each of the 64 points, transform the products back into output tiles.
template <int L>
void winograd_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                      float* scratch, const Conv2DGeometry& g) {
  const int64_t c_pad = round_up(g.c, L), o_pad = round_up(g.o, L);
  const float* u = scratch;
  transform_filter<L>(filter, g.c, g.o, o_pad, scratch);
  const TileGrid grid(g);
  const int64_t blocks = (grid.tiles + kBlockTiles - 1) / kBlockTiles;
  const int64_t v_stride = input_plane_floats(g, L), m_stride = output_tile_floats(g, L);
#pragma omp parallel
  {
    float* v = scratch + filter_floats(g, L) + omp_get_thread_num() * block_floats(g, L);
    float* m = v + kPoints * v_stride;
#pragma omp for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t first = block * kBlockTiles, count = std::min<int64_t>(kBlockTiles, grid.tiles - first);
      for (int64_t t = 0; t < count; ++t) {
        const TileCorner at = grid.corner(first + t);
        transform_tile<L, kBT>(input + at.image * g.h * g.w * g.c, g.h, g.w, g.c, at.y - g.pad_top,
                               at.x - g.pad_left, v + t * c_pad, v_stride);
      }
      for (int p = 0; p < kPoints; ++p)
        gemm<L, kProduct>(count, o_pad, g.c, v + p * v_stride, c_pad, u + p * g.c * o_pad, o_pad, m + p * o_pad,
                          m_stride);
      for (int64_t t = 0; t < count; ++t) {
        const TileCorner at = grid.corner(first + t);
        transform_output<L>(m + t * m_stride, o_pad, bias, relu, g, at.y, at.x, out + at.image * g.oh * g.ow * g.o);
      }
    }
  }
}

// d_filter [5, 5, c, o] = the gradient of the forward with respect to its filter: per block of tiles, the input
// tiles and output-gradient tiles transformed, their products summed per point into each thread's own
// [kPoints][c][o_pad] (GEMMs c += V^T D), then the threads' sums added and transformed back.
template <int L>
void winograd_filter_gradient(const float* input, const float* d_out, float* d_filter, float* scratch,
                              const Conv2DGeometry& g) {
  const int64_t c_pad = round_up(g.c, L), o_pad = round_up(g.o, L);
  const int64_t sums_floats = filter_floats(g, L), per_thread = filter_gradient_thread_floats(g, L);
  const int64_t v_stride = input_plane_floats(g, L), d_stride = output_gradient_plane_floats(g, L);
  const TileGrid grid(g);
  const int64_t blocks = (grid.tiles + kBlockTiles - 1) / kBlockTiles;
  int threads = 1;
#pragma omp parallel
  {
#pragma omp single
    threads = omp_get_num_threads();
    float* sums = scratch + omp_get_thread_num() * per_thread;
    float* v = sums + sums_floats;
    float* d = v + kPoints * v_stride;
    fill_zeros(sums, sums_floats);
#pragma omp for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t first = block * kBlockTiles, count = std::min<int64_t>(kBlockTiles, grid.tiles - first);
      for (int64_t t = 0; t < count; ++t) {
        const TileCorner at = grid.corner(first + t);
        transform_tile<L, kBT>(input + at.image * g.h * g.w * g.c, g.h, g.w, g.c, at.y - g.pad_top,
                               at.x - g.pad_left, v + t * c_pad, v_stride);
        transform_tile<L, kGradientG>(d_out + at.image * g.oh * g.ow * g.o, g.oh, g.ow, g.o, at.y, at.x,
                                      d + t * o_pad, d_stride);
      }
      for (int p = 0; p < kPoints; ++p)
        gemm<L, kAccumulateTransposed>(g.c, o_pad, count, v + p * v_stride, c_pad, d + p * d_stride, o_pad,
                                       sums + p * g.c * o_pad, o_pad);
    }
  }
  float* total = scratch;  // thread 0's sums
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < sums_floats; ++i)
    for (int t = 1; t < threads; ++t) total[i] += scratch[t * per_thread + i];
#pragma omp parallel for schedule(static)
  for (int64_t ci = 0; ci < g.c; ++ci)
    for (int64_t oc = 0; oc < g.o; oc += L)
      sandwich<L, kGradientAT>(
          [&](int i, int j) { return load<L>(total + ((i * kAlpha + j) * g.c + ci) * o_pad + oc); },
          [&](int i, int j, Vec<L> tap) {
            store<L>(d_filter + ((i * kTaps + j) * g.c + ci) * g.o + oc, tap, g.o - oc);
          });
}

}  // namespace
}  // namespace tapeflow::kernels::cpu
