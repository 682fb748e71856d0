// conv2d on the CPU without oneDNN (TAPEFLOW_ONEDNN=OFF): im2col + OpenBLAS SGEMM, the batch folded into M
// (M = n * oh * ow), so each pass is one large GEMM. kernels/cpu/conv_onednn.cpp is the other build's twin;
// kernels/cpu/conv_algorithm.cpp picks between these and the Winograd convolution.
#include "kernels/cpu/conv_direct.h"

#include <algorithm>
#include <cstring>

#include "kernels/matmul.h"

namespace tapeflow::kernels::cpu {

namespace {

// The window taps [begin, end) that land inside the input: 0 <= start + tap * dilation < extent.
struct Taps {
  int64_t begin, end;
};
Taps taps_inside(int64_t start, int64_t taps, int64_t dilation, int64_t extent) {
  const int64_t begin = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  const int64_t end = start >= extent ? 0 : std::min(taps, (extent - start + dilation - 1) / dilation);
  return {begin, std::max(begin, end)};
}

// Calls f(col_row, image_row, count) for each run of `count` contiguous floats that im2col copies from
// the input image row `image_row` of (b, ih) into the col row of output pixel (b, oh, ow); with dilation
// 1 along w the taps of one kernel row are one run. Taps outside the input are left to the caller.
template <class F>
void for_each_run(const Conv2DGeometry& g, int64_t b, int64_t oh, int64_t ow, F f) {
  const int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
  const Taps rows = taps_inside(h0, g.kh, g.dilation_h, g.h);
  const Taps cols = taps_inside(w0, g.kw, g.dilation_w, g.w);
  for (int64_t i = rows.begin; i < rows.end; ++i) {
    const int64_t ih = h0 + i * g.dilation_h;
    const int64_t image_row = ((b * g.h + ih) * g.w + w0) * g.c;  // may point before the row; offsets fix it
    const int64_t col_row = i * g.kw * g.c;
    if (g.dilation_w == 1) {
      f(col_row + cols.begin * g.c, image_row + cols.begin * g.c, (cols.end - cols.begin) * g.c);
    } else {
      for (int64_t j = cols.begin; j < cols.end; ++j) f(col_row + j * g.c, image_row + j * g.dilation_w * g.c, g.c);
    }
  }
}

// col [n * oh * ow, kh * kw * c]: the input patch of every output pixel, zeros in the padding.
void im2col(const float* input, float* col, const Conv2DGeometry& g) {
  const int64_t row_len = g.col_cols();
  // One output row (b, oh) per iteration; each col row is zeroed, then the in-bounds runs are copied.
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < g.n * g.oh; ++r) {
    const int64_t b = r / g.oh, oh = r % g.oh;
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      float* dst = col + (r * g.ow + ow) * row_len;
      const int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
      const bool interior = h0 >= 0 && w0 >= 0 && h0 + (g.kh - 1) * g.dilation_h < g.h &&
                            w0 + (g.kw - 1) * g.dilation_w < g.w;
      if (!interior) std::memset(dst, 0, sizeof(float) * row_len);
      for_each_run(g, b, oh, ow, [&](int64_t to, int64_t from, int64_t count) {
        std::memcpy(dst + to, input + from, sizeof(float) * count);
      });
    }
  }
}

// The adjoint of im2col: d_input [n, h, w, c] (fully written) = the sum of the d_col entries that im2col
// copied from each input element.
void col2im(const float* d_col, float* d_input, const Conv2DGeometry& g) {
  const int64_t row_len = g.col_cols(), image_size = g.h * g.w * g.c;
  // One image per thread: overlapping windows add into it from one thread, in a fixed order.
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    std::memset(d_input + b * image_size, 0, sizeof(float) * image_size);
    for (int64_t oh = 0; oh < g.oh; ++oh)
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const float* src = d_col + ((b * g.oh + oh) * g.ow + ow) * row_len;
        for_each_run(g, b, oh, ow, [&](int64_t from, int64_t to, int64_t count) {
          float* dst = d_input + to;
#pragma omp simd
          for (int64_t k = 0; k < count; ++k) dst[k] += src[from + k];
        });
      }
  }
}

}  // namespace

namespace direct {

// Scratch is the im2col matrix [n * oh * ow, kh * kw * c] (or its gradient); a pointwise conv needs none.
int64_t conv2d_scratch_size(ConvPass, const Conv2DGeometry& g) {
  return g.pointwise() ? 0 : g.col_rows() * g.col_cols();
}

// out [M, o] = im2col(input) [M, kh * kw * c] x filter [kh * kw * c, o].
void conv2d_forward(const float* input, const float* filter, float* out, float* col, const Conv2DGeometry& g) {
  if (!g.pointwise()) im2col(input, col, g);
  matmul(false, false, 1, g.col_rows(), g.o, g.col_cols(), g.pointwise() ? input : col, 0, filter, 0, out);
}

// The GEMM's output then one pass adding the bias and clamping at 0.
void conv2d_bias_relu_forward(const float* input, const float* filter, const float* bias, float* out, float* col,
                              const Conv2DGeometry& g) {
  conv2d_forward(input, filter, out, col, g);
  const int64_t rows = g.col_rows(), o = g.o;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* y = out + r * o;
#pragma omp simd
    for (int64_t j = 0; j < o; ++j) y[j] = std::max(y[j] + bias[j], 0.f);
  }
}

// d_filter [kh * kw * c, o] = im2col(input)^T x d_out [M, o]; im2col is redone here rather than kept alive
// from the forward.
void conv2d_backward_filter(const float* input, const float* d_out, float* d_filter, float* col,
                            const Conv2DGeometry& g) {
  if (!g.pointwise()) im2col(input, col, g);
  matmul(true, false, 1, g.col_cols(), g.o, g.col_rows(), g.pointwise() ? input : col, 0, d_out, 0, d_filter);
}

// d_input = col2im(d_out [M, o] x filter^T [o, kh * kw * c]).
void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float* d_col,
                           const Conv2DGeometry& g) {
  if (g.pointwise()) {
    matmul(false, true, 1, g.col_rows(), g.c, g.o, d_out, 0, filter, 0, d_input);
    return;
  }
  matmul(false, true, 1, g.col_rows(), g.col_cols(), g.o, d_out, 0, filter, 0, d_col);
  col2im(d_col, d_input, g);
}

}  // namespace direct
}  // namespace tapeflow::kernels::cpu
