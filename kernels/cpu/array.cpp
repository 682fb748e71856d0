#include "kernels/array.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "kernels/permute_plan.h"

namespace tapeflow::kernels::cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 15;
constexpr int64_t kTile = 32;  // 2-D transpose tile edge, in elements

// Walks every "row" (all dims but the last) of a box of `rank` dims, calling f(row, src_offset,
// dst_offset) with element offsets computed from the two stride sets.
template <class F>
void for_each_row(int rank, const int64_t* box, const int64_t* src_strides, const int64_t* dst_strides, F f) {
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= box[d];
#pragma omp parallel for schedule(static) if (rows * box[rank - 1] > kParallelAbove)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, src = 0, dst = 0;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t i = rem % box[d];
      rem /= box[d];
      src += i * src_strides[d];
      dst += i * dst_strides[d];
    }
    f(src, dst);
  }
}

void contiguous_strides(int rank, const int64_t* dims, int64_t* strides) {
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= dims[d];
  }
}

// y = x permuted by p (rank >= 2 after coalescing). Either the last dim stays last (rows are copied
// whole), or x's contiguous dim lands at output position q and the copy is a batch of 2-D
// transposes between output dims q and rank-1, done in kTile x kTile tiles so reads and writes both
// stay in cache.
template <class T>
void permute_as(const void* x_raw, void* y_raw, const Permutation& p) {
  const T* x = static_cast<const T*>(x_raw);
  T* y = static_cast<T*>(y_raw);
  const int r = p.rank;
  int64_t x_strides[8], y_dims[8], y_strides[8], src[8];  // src: x stride of each output dim
  contiguous_strides(r, p.dims, x_strides);
  for (int i = 0; i < r; ++i) {
    y_dims[i] = p.dims[p.perm[i]];
    src[i] = x_strides[p.perm[i]];
  }
  contiguous_strides(r, y_dims, y_strides);
  if (p.perm[r - 1] == r - 1) {
    const int64_t cols = y_dims[r - 1];
    for_each_row(r, y_dims, src, y_strides, [&](int64_t s, int64_t t) { std::copy(x + s, x + s + cols, y + t); });
    return;
  }
  int q = 0;
  while (p.perm[q] != r - 1) ++q;
  // Output dims other than q and r-1 index whole 2-D problems.
  int batch_dims[8], nb = 0;
  int64_t batches = 1;
  for (int i = 0; i < r - 1; ++i)
    if (i != q) {
      batch_dims[nb++] = i;
      batches *= y_dims[i];
    }
  const int64_t rows = y_dims[q], cols = y_dims[r - 1], row_stride = y_strides[q], col_stride = src[r - 1];
  const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
  const int64_t tiles = batches * row_tiles * col_tiles;
#pragma omp parallel for schedule(static) if (batches * rows * cols > kParallelAbove)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t ct = t % col_tiles, rt = t / col_tiles % row_tiles;
    int64_t rem = t / (col_tiles * row_tiles), xs = 0, ys = 0;
    for (int b = nb - 1; b >= 0; --b) {
      const int d = batch_dims[b];
      xs += rem % y_dims[d] * src[d];
      ys += rem % y_dims[d] * y_strides[d];
      rem /= y_dims[d];
    }
    const int64_t r0 = rt * kTile, r1 = std::min(rows, r0 + kTile), c0 = ct * kTile, c1 = std::min(cols, c0 + kTile);
    for (int64_t i = r0; i < r1; ++i)
      for (int64_t j = c0; j < c1; ++j) y[ys + i * row_stride + j] = x[xs + i + j * col_stride];
  }
}

}  // namespace

void permute(const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int* perm) {
  const Permutation p = coalesce(rank, x_dims, perm);
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) n *= p.dims[d];
  if (n == 0) return;
  if (p.rank <= 1) {  // the identity
    std::memcpy(y, x, n * elem_size);
    return;
  }
  switch (elem_size) {
    case 1: permute_as<uint8_t>(x, y, p); break;
    case 2: permute_as<uint16_t>(x, y, p); break;
    case 4: permute_as<uint32_t>(x, y, p); break;
    case 8: permute_as<uint64_t>(x, y, p); break;
    default: throw std::invalid_argument("permute: element size must be 1, 2, 4 or 8 bytes");
  }
}

namespace {

// Copies a box of `box` dims between two dense arrays, each addressed by its own dims and the box's
// offset within it (copy_box: the source is the big array; paste_box: the destination is).
void copy_between(const void* x, const int64_t* x_dims, const int64_t* x_begin, void* y, const int64_t* y_dims,
                  const int64_t* y_begin, size_t elem_size, int rank, const int64_t* box) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= box[d];
  if (n == 0) return;
  if (rank == 0) {
    std::memcpy(y, x, elem_size);
    return;
  }
  int64_t x_strides[8], y_strides[8];
  contiguous_strides(rank, x_dims, x_strides);
  contiguous_strides(rank, y_dims, y_strides);
  int64_t x_origin = 0, y_origin = 0;
  for (int d = 0; d < rank; ++d) {
    x_origin += x_begin[d] * x_strides[d];
    y_origin += y_begin[d] * y_strides[d];
  }
  const auto* src = static_cast<const char*>(x) + x_origin * elem_size;
  auto* dst = static_cast<char*>(y) + y_origin * elem_size;
  const size_t row_bytes = box[rank - 1] * elem_size;
  for_each_row(rank, box, x_strides, y_strides,
               [&](int64_t s, int64_t t) { std::memcpy(dst + t * elem_size, src + s * elem_size, row_bytes); });
}

constexpr int64_t kOrigin[8] = {};

}  // namespace

void copy_box(const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int64_t* begin,
              const int64_t* box) {
  copy_between(x, x_dims, begin, y, box, kOrigin, elem_size, rank, box);
}

void paste_box(const void* x, void* y, size_t elem_size, int rank, const int64_t* y_dims, const int64_t* begin,
               const int64_t* box) {
  copy_between(x, box, kOrigin, y, y_dims, begin, elem_size, rank, box);
}

void concat_rows(const std::vector<const void*>& sources, const std::vector<int64_t>& chunk_bytes, int64_t outer,
                 void* out) {
  int64_t row_bytes = 0;
  for (int64_t b : chunk_bytes) row_bytes += b;
  auto* dst = static_cast<char*>(out);
#pragma omp parallel for schedule(static) if (outer * row_bytes > 4 * kParallelAbove)
  for (int64_t o = 0; o < outer; ++o) {
    char* row = dst + o * row_bytes;
    for (size_t i = 0; i < sources.size(); ++i) {
      std::memcpy(row, static_cast<const char*>(sources[i]) + o * chunk_bytes[i], chunk_bytes[i]);
      row += chunk_bytes[i];
    }
  }
}

int64_t gather(const void* params, const int64_t* index, void* out, size_t elem_size, int64_t outer, int64_t n,
               int64_t inner, int64_t m) {
  for (int64_t j = 0; j < m; ++j)
    if (index[j] < 0 || index[j] >= n) return j;
  const auto* src = static_cast<const char*>(params);
  auto* dst = static_cast<char*>(out);
  const size_t row = inner * elem_size;
#pragma omp parallel for collapse(2) schedule(static) if (outer * m * inner > kParallelAbove)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < m; ++j) std::memcpy(dst + (o * m + j) * row, src + (o * n + index[j]) * row, row);
  return -1;
}

void scatter_add(const float* grad_out, const int64_t* index, float* grad_params, int64_t outer, int64_t n,
                 int64_t inner, int64_t m) {
  // Parallel over outer only: rows of one outer slice are added in index order, so repeated
  // indices sum deterministically.
#pragma omp parallel for schedule(static) if (outer * m * inner > kParallelAbove)
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < m; ++j) {
      float* dst = grad_params + (o * n + index[j]) * inner;
      const float* src = grad_out + (o * m + j) * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] += src[i];
    }
}

void one_hot(const int64_t* index, float* out, int64_t m, int64_t depth, float on_value, float off_value) {
#pragma omp parallel for schedule(static) if (m * depth > kParallelAbove)
  for (int64_t j = 0; j < m; ++j) {
    float* row = out + j * depth;
    for (int64_t c = 0; c < depth; ++c) row[c] = off_value;
    if (index[j] >= 0 && index[j] < depth) row[index[j]] = on_value;
  }
}

}  // namespace tapeflow::kernels::cpu
