#include "kernels/reduction.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace tapeflow::kernels::cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 15;
constexpr int64_t kBlock = 256;              // inner columns one work item reduces side by side
constexpr int64_t kChunkElements = 1 << 14;  // about this many elements of x per work item

// How x [outer, n, inner] is cut into work items: item (o, c, b) reduces rows [c * rows, (c + 1) * rows)
// of column block b of slice o. The cut depends only on the shape, never on the thread count, so sums
// come out bit-identical however many threads run; chunk partials are combined in chunk order.
struct Split {
  int64_t rows, chunks, blocks;
};

Split split(int64_t n, int64_t inner, bool split_rows) {
  const int64_t rows = split_rows ? std::max<int64_t>(1, kChunkElements / std::min(inner, kBlock)) : n;
  return {rows, n <= rows ? 1 : (n + rows - 1) / rows, (inner + kBlock - 1) / kBlock};
}

struct Item {
  const float* x;  // the item's first row: x[o, k0, i0]
  int64_t rows, width, chunk, out;  // out: offset of (o, i0) in [outer, inner]
};

template <class F>
void for_each_item(const float* x, int64_t outer, int64_t n, int64_t inner, const Split& s, F f) {
  const int64_t items = outer * s.chunks * s.blocks;
#pragma omp parallel for schedule(static) if (outer * n * inner > kParallelAbove)
  for (int64_t t = 0; t < items; ++t) {
    const int64_t b = t % s.blocks, c = t / s.blocks % s.chunks, o = t / (s.blocks * s.chunks);
    const int64_t k0 = c * s.rows, i0 = b * kBlock;
    f(Item{x + (o * n + k0) * inner + i0, std::min(s.rows, n - k0), std::min(kBlock, inner - i0), c, o * inner + i0});
  }
}

double sum_run(const float* x, int64_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t k = 0; k < n; ++k) s += x[k];
  return s;
}

// acc[i] = sum of it.x[k * inner + i] over the item's rows, in row order.
void sum_item(const Item& it, int64_t inner, double* acc) {
  if (inner == 1) {
    acc[0] = sum_run(it.x, it.rows);
    return;
  }
  std::fill(acc, acc + it.width, 0.0);
  for (int64_t k = 0; k < it.rows; ++k) {
    const float* row = it.x + k * inner;
#pragma omp simd
    for (int64_t i = 0; i < it.width; ++i) acc[i] += row[i];
  }
}

// NaN wins, as in TF: once m is NaN it stays NaN.
inline float max_nan(float m, float v) { return v > m || v != v ? v : m; }

float max_run(const float* x, int64_t n) {
  // NaN is tracked apart: the simd max reduction's lane combiner would drop it.
  float m = -std::numeric_limits<float>::infinity();
  int nan = 0;
#pragma omp simd reduction(max : m) reduction(| : nan)
  for (int64_t k = 0; k < n; ++k) {
    m = x[k] > m ? x[k] : m;
    nan |= x[k] != x[k];
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : m;
}

void max_item(const Item& it, int64_t inner, float* acc) {
  if (inner == 1) {
    acc[0] = max_run(it.x, it.rows);
    return;
  }
  std::fill(acc, acc + it.width, -std::numeric_limits<float>::infinity());
  for (int64_t k = 0; k < it.rows; ++k) {
    const float* row = it.x + k * inner;
#pragma omp simd
    for (int64_t i = 0; i < it.width; ++i) acc[i] = max_nan(acc[i], row[i]);
  }
}

}  // namespace

void reduce_sum(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  if (outer * inner == 0) return;
  const Split s = split(n, inner, /*split_rows=*/true);
  if (inner == 1 && s.chunks == 1) {  // rows of x: skip the item bookkeeping
#pragma omp parallel for schedule(static) if (outer * n > kParallelAbove)
    for (int64_t o = 0; o < outer; ++o) y[o] = static_cast<float>(sum_run(x + o * n, n));
    return;
  }
  // partial is [outer, chunks, inner] when the rows are split.
  std::vector<double> partial(s.chunks > 1 ? static_cast<size_t>(outer * s.chunks * inner) : 0);
  for_each_item(x, outer, n, inner, s, [&](const Item& it) {
    double acc[kBlock];
    sum_item(it, inner, acc);
    if (s.chunks == 1) {
      for (int64_t i = 0; i < it.width; ++i) y[it.out + i] = static_cast<float>(acc[i]);
      return;
    }
    const int64_t o = it.out / inner, i0 = it.out % inner;
    std::copy(acc, acc + it.width, partial.begin() + (o * s.chunks + it.chunk) * inner + i0);
  });
  if (s.chunks == 1) return;
#pragma omp parallel for schedule(static) if (outer * s.chunks * inner > kParallelAbove)
  for (int64_t j = 0; j < outer * inner; ++j) {
    const double* p = partial.data() + (j / inner * s.chunks) * inner + j % inner;
    double total = 0;
    for (int64_t c = 0; c < s.chunks; ++c) total += p[c * inner];
    y[j] = static_cast<float>(total);
  }
}

void reduce_max(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  if (outer * inner == 0) return;
  // Max is exact in any order; splitting the rows only adds parallelism when outer * inner is small.
  const Split s = split(n, inner, /*split_rows=*/outer * inner < kChunkElements);
  if (inner == 1 && s.chunks == 1) {
#pragma omp parallel for schedule(static) if (outer * n > kParallelAbove)
    for (int64_t o = 0; o < outer; ++o) y[o] = max_run(x + o * n, n);
    return;
  }
  std::vector<float> partial(s.chunks > 1 ? static_cast<size_t>(outer * s.chunks * inner) : 0);
  for_each_item(x, outer, n, inner, s, [&](const Item& it) {
    float acc[kBlock];
    max_item(it, inner, acc);
    const int64_t o = it.out / inner, i0 = it.out % inner;
    float* dst = s.chunks == 1 ? y + it.out : partial.data() + (o * s.chunks + it.chunk) * inner + i0;
    std::copy(acc, acc + it.width, dst);
  });
  if (s.chunks == 1) return;
#pragma omp parallel for schedule(static) if (outer * s.chunks * inner > kParallelAbove)
  for (int64_t j = 0; j < outer * inner; ++j) {
    const float* p = partial.data() + (j / inner * s.chunks) * inner + j % inner;
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t c = 0; c < s.chunks; ++c) m = max_nan(m, p[c * inner]);
    y[j] = m;
  }
}

void argmax(const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner) {
  if (outer * inner == 0) return;
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (outer * n > kParallelAbove)
    for (int64_t o = 0; o < outer; ++o) y[o] = std::max_element(x + o * n, x + (o + 1) * n) - (x + o * n);
    return;
  }
  const Split s = split(n, inner, /*split_rows=*/false);
  for_each_item(x, outer, n, inner, s, [&](const Item& it) {
    // A strict > keeps the first maximum on ties.
    float best[kBlock];
    int64_t* index = y + it.out;
    std::copy(it.x, it.x + it.width, best);
    std::fill(index, index + it.width, 0);
    for (int64_t k = 1; k < it.rows; ++k) {
      const float* row = it.x + k * inner;
      for (int64_t i = 0; i < it.width; ++i)
        if (row[i] > best[i]) {
          best[i] = row[i];
          index[i] = k;
        }
    }
  });
}

}  // namespace tapeflow::kernels::cpu
