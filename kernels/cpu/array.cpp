#include "kernels/array.h"

#include <cstring>

namespace tapeflow::kernels::cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 15;

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

}  // namespace

void permute(const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int* perm) {
  int64_t x_strides[8], y_dims[8], y_strides[8], src_strides[8];
  contiguous_strides(rank, x_dims, x_strides);
  for (int d = 0; d < rank; ++d) {
    y_dims[d] = x_dims[perm[d]];
    src_strides[d] = x_strides[perm[d]];
  }
  contiguous_strides(rank, y_dims, y_strides);
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= y_dims[d];
  if (n == 0) return;
  if (rank == 0) {
    std::memcpy(y, x, elem_size);
    return;
  }
  const auto* src = static_cast<const char*>(x);
  auto* dst = static_cast<char*>(y);
  const int64_t cols = y_dims[rank - 1], step = src_strides[rank - 1];
  for_each_row(rank, y_dims, src_strides, y_strides, [&](int64_t s, int64_t t) {
    if (step == 1) {
      std::memcpy(dst + t * elem_size, src + s * elem_size, cols * elem_size);
      return;
    }
    for (int64_t c = 0; c < cols; ++c) std::memcpy(dst + (t + c) * elem_size, src + (s + c * step) * elem_size, elem_size);
  });
}

void copy_box(const void* x, void* y, size_t elem_size, int rank, const int64_t* x_dims, const int64_t* begin,
              const int64_t* box) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= box[d];
  if (n == 0) return;
  if (rank == 0) {
    std::memcpy(y, x, elem_size);
    return;
  }
  int64_t x_strides[8], y_strides[8];
  contiguous_strides(rank, x_dims, x_strides);
  contiguous_strides(rank, box, y_strides);
  int64_t origin = 0;
  for (int d = 0; d < rank; ++d) origin += begin[d] * x_strides[d];
  const auto* src = static_cast<const char*>(x) + origin * elem_size;
  auto* dst = static_cast<char*>(y);
  const size_t row_bytes = box[rank - 1] * elem_size;
  for_each_row(rank, box, x_strides, y_strides,
               [&](int64_t s, int64_t t) { std::memcpy(dst + t * elem_size, src + s * elem_size, row_bytes); });
}

void paste_box(const void* x, void* y, size_t elem_size, int rank, const int64_t* y_dims, const int64_t* begin,
               const int64_t* box) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= box[d];
  if (n == 0) return;
  if (rank == 0) {
    std::memcpy(y, x, elem_size);
    return;
  }
  int64_t x_strides[8], y_strides[8];
  contiguous_strides(rank, box, x_strides);
  contiguous_strides(rank, y_dims, y_strides);
  int64_t origin = 0;
  for (int d = 0; d < rank; ++d) origin += begin[d] * y_strides[d];
  const auto* src = static_cast<const char*>(x);
  auto* dst = static_cast<char*>(y) + origin * elem_size;
  const size_t row_bytes = box[rank - 1] * elem_size;
  for_each_row(rank, box, x_strides, y_strides,
               [&](int64_t s, int64_t t) { std::memcpy(dst + t * elem_size, src + s * elem_size, row_bytes); });
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
