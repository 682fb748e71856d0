#include "kernels/conv.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tapeflow::kernels::cpu {

namespace {

// row-major C[m, n] = A[m, k] @ B[k, n] (with optional transposes), beta 0.
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::memset(c, 0, sizeof(float) * m * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
              1.f, a, int(ta ? m : k), b, int(tb ? k : n), 0.f, c, int(n));
}

}  // namespace

void im2col(const float* input, float* col, const Conv2DGeometry& g) {
  const int64_t row_len = g.col_cols();
  // One output row (n, oh) per iteration: its ow positions x (kh, kw, c) patch values.
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < g.n * g.oh; ++r) {
    const int64_t b = r / g.oh, oh = r % g.oh;
    const float* image = input + b * g.h * g.w * g.c;
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      float* dst = col + ((b * g.oh + oh) * g.ow + ow) * row_len;
      for (int64_t i = 0; i < g.kh; ++i) {
        const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
        for (int64_t j = 0; j < g.kw; ++j, dst += g.c) {
          const int64_t iw = ow * g.stride_w - g.pad_left + j * g.dilation_w;
          if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) {
            std::memset(dst, 0, sizeof(float) * g.c);
          } else {
            std::memcpy(dst, image + (ih * g.w + iw) * g.c, sizeof(float) * g.c);
          }
        }
      }
    }
  }
}

void conv2d_forward(const float* input, const float* filter, float* out, float* col, const Conv2DGeometry& g) {
  const float* a = input;
  if (!g.pointwise()) {
    im2col(input, col, g);
    a = col;
  }
  gemm(false, false, g.col_rows(), g.o, g.col_cols(), a, filter, out);
}

void conv2d_backward_filter(const float* col, const float* d_out, float* d_filter, const Conv2DGeometry& g) {
  gemm(true, false, g.col_cols(), g.o, g.col_rows(), col, d_out, d_filter);
}

void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float* d_col,
                           const Conv2DGeometry& g) {
  if (g.pointwise()) {
    gemm(false, true, g.col_rows(), g.c, g.o, d_out, filter, d_input);
    return;
  }
  gemm(false, true, g.col_rows(), g.col_cols(), g.o, d_out, filter, d_col);
  const int64_t row_len = g.col_cols();
  // col2im: each image is summed by one thread, in a fixed order, so the result is deterministic.
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    float* image = d_input + b * g.h * g.w * g.c;
    std::memset(image, 0, sizeof(float) * g.h * g.w * g.c);
    for (int64_t oh = 0; oh < g.oh; ++oh)
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const float* src = d_col + ((b * g.oh + oh) * g.ow + ow) * row_len;
        for (int64_t i = 0; i < g.kh; ++i) {
          const int64_t ih = oh * g.stride_h - g.pad_top + i * g.dilation_h;
          for (int64_t j = 0; j < g.kw; ++j, src += g.c) {
            const int64_t iw = ow * g.stride_w - g.pad_left + j * g.dilation_w;
            if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
            float* dst = image + (ih * g.w + iw) * g.c;
#pragma omp simd
            for (int64_t c = 0; c < g.c; ++c) dst[c] += src[c];
          }
        }
      }
  }
}

namespace {

// Calls f(out_offset, window) for every output position; window(f2) visits the in-bounds input
// offsets of that position's window.
template <class F>
void for_each_window(const Conv2DGeometry& g, F f) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < g.n * g.oh; ++r) {
    const int64_t b = r / g.oh, oh = r % g.oh;
    const int64_t h0 = oh * g.stride_h - g.pad_top;
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      const int64_t w0 = ow * g.stride_w - g.pad_left;
      const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + g.kh, g.h);
      const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + g.kw, g.w);
      f(((b * g.oh + oh) * g.ow + ow) * g.c, b * g.h * g.w * g.c, hs, he, ws, we);
    }
  }
}

}  // namespace

void max_pool_forward(const float* input, float* out, int64_t* argmax, const Conv2DGeometry& g) {
  for_each_window(g, [&](int64_t o, int64_t image, int64_t hs, int64_t he, int64_t ws, int64_t we) {
    for (int64_t c = 0; c < g.c; ++c) {
      float best = -INFINITY;
      int64_t best_at = -1;
      for (int64_t ih = hs; ih < he; ++ih)
        for (int64_t iw = ws; iw < we; ++iw) {
          const int64_t at = image + (ih * g.w + iw) * g.c + c;
          if (best_at < 0 || input[at] > best) {
            best = input[at];
            best_at = at;
          }
        }
      out[o + c] = best;
      if (argmax) argmax[o + c] = best_at;
    }
  });
}

void max_pool_backward(const float* d_out, const int64_t* argmax, float* d_input, const Conv2DGeometry& g) {
  const int64_t image_size = g.h * g.w * g.c, out_per_image = g.oh * g.ow * g.c;
  // Per image, so overlapping windows add into one image from one thread, in order.
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    std::memset(d_input + b * image_size, 0, sizeof(float) * image_size);
    for (int64_t k = b * out_per_image; k < (b + 1) * out_per_image; ++k)
      if (argmax[k] >= 0) d_input[argmax[k]] += d_out[k];
  }
}

void avg_pool_forward(const float* input, float* out, const Conv2DGeometry& g) {
  for_each_window(g, [&](int64_t o, int64_t image, int64_t hs, int64_t he, int64_t ws, int64_t we) {
    const float inv = 1.f / static_cast<float>(std::max<int64_t>((he - hs) * (we - ws), 1));
    for (int64_t c = 0; c < g.c; ++c) {
      float s = 0;
      for (int64_t ih = hs; ih < he; ++ih)
        for (int64_t iw = ws; iw < we; ++iw) s += input[image + (ih * g.w + iw) * g.c + c];
      out[o + c] = s * inv;
    }
  });
}

void avg_pool_backward(const float* d_out, float* d_input, const Conv2DGeometry& g) {
  const int64_t image_size = g.h * g.w * g.c;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    float* image = d_input + b * image_size;
    std::memset(image, 0, sizeof(float) * image_size);
    for (int64_t oh = 0; oh < g.oh; ++oh)
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
        const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h0 + g.kh, g.h);
        const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w0 + g.kw, g.w);
        const float inv = 1.f / static_cast<float>(std::max<int64_t>((he - hs) * (we - ws), 1));
        const float* src = d_out + ((b * g.oh + oh) * g.ow + ow) * g.c;
        for (int64_t ih = hs; ih < he; ++ih)
          for (int64_t iw = ws; iw < we; ++iw)
            for (int64_t c = 0; c < g.c; ++c) image[(ih * g.w + iw) * g.c + c] += src[c] * inv;
      }
  }
}

}  // namespace tapeflow::kernels::cpu
