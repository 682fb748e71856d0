#include "kernels/pool.h"

#include <algorithm>
#include <cstring>

namespace tapeflow::kernels::cpu {

namespace {

// The in-bounds part [begin, end) of a window of `size` starting at `start` over a dim of `extent`.
struct Span {
  int64_t begin, end;
};
Span clip(int64_t start, int64_t size, int64_t extent) {
  return {std::max<int64_t>(start, 0), std::min(start + size, extent)};
}

// Calls f(out_offset, image_offset, rows, cols) for every output pixel, where rows x cols is the
// in-bounds part of its window (never empty under TF's padding rules). Parallel over output rows.
template <class F> void for_each_window(const Conv2DGeometry& g, F f) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < g.n * g.oh; ++r) {
    const int64_t b = r / g.oh, oh = r % g.oh;
    const Span rows = clip(oh * g.stride_h - g.pad_top, g.kh, g.h);
    for (int64_t ow = 0; ow < g.ow; ++ow) {
      const Span cols = clip(ow * g.stride_w - g.pad_left, g.kw, g.w);
      f((r * g.ow + ow) * g.c, b * g.h * g.w * g.c, rows, cols);
    }
  }
}

template <bool kArgmax> void max_pool(const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  for_each_window(g, [&](int64_t o, int64_t image, Span rows, Span cols) {
    float* best = out + o;
    int32_t* best_at = kArgmax ? argmax + o : nullptr;
    // Channels are innermost, so each window element is a contiguous run of c values; the updates are
    // branch-free so that the channel loop vectorises.
    const int64_t first = (rows.begin * g.w + cols.begin) * g.c;
    for (int64_t c = 0; c < g.c; ++c) {
      best[c] = input[image + first + c];
      if constexpr (kArgmax) best_at[c] = static_cast<int32_t>(first + c);
    }
    for (int64_t ih = rows.begin; ih < rows.end; ++ih)
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
        const int32_t at = static_cast<int32_t>((ih * g.w + iw) * g.c);
        const float* x = input + image + at;
#pragma omp simd
        for (int32_t c = 0; c < static_cast<int32_t>(g.c); ++c) {
          const bool greater = x[c] > best[c];
          best[c] = greater ? x[c] : best[c];
          if constexpr (kArgmax) best_at[c] = greater ? at + c : best_at[c];
        }
      }
  });
}

float inverse_count(Span rows, Span cols) {
  return 1.f / static_cast<float>((rows.end - rows.begin) * (cols.end - cols.begin));
}

}  // namespace

void max_pool_forward(const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  if (argmax) {
    max_pool<true>(input, out, argmax, g);
  } else {
    max_pool<false>(input, out, nullptr, g);
  }
}

void max_pool_backward(const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g) {
  const int64_t image_size = g.h * g.w * g.c, out_per_image = g.oh * g.ow * g.c;
  // One image per thread: overlapping windows add into it from one thread, in a fixed order.
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    float* image = d_input + b * image_size;
    std::memset(image, 0, sizeof(float) * image_size);
    for (int64_t k = b * out_per_image; k < (b + 1) * out_per_image; ++k) image[argmax[k]] += d_out[k];
  }
}

void avg_pool_forward(const float* input, float* out, const Conv2DGeometry& g) {
  for_each_window(g, [&](int64_t o, int64_t image, Span rows, Span cols) {
    float* y = out + o;
    std::fill_n(y, g.c, 0.f);
    for (int64_t ih = rows.begin; ih < rows.end; ++ih)
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
        const float* x = input + image + (ih * g.w + iw) * g.c;
#pragma omp simd
        for (int64_t c = 0; c < g.c; ++c) y[c] += x[c];
      }
    const float inv = inverse_count(rows, cols);
#pragma omp simd
    for (int64_t c = 0; c < g.c; ++c) y[c] *= inv;
  });
}

void avg_pool_backward(const float* d_out, float* d_input, const Conv2DGeometry& g) {
  const int64_t image_size = g.h * g.w * g.c;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    float* image = d_input + b * image_size;
    std::memset(image, 0, sizeof(float) * image_size);
    for (int64_t oh = 0; oh < g.oh; ++oh) {
      const Span rows = clip(oh * g.stride_h - g.pad_top, g.kh, g.h);
      for (int64_t ow = 0; ow < g.ow; ++ow) {
        const Span cols = clip(ow * g.stride_w - g.pad_left, g.kw, g.w);
        const float inv = inverse_count(rows, cols);
        const float* dy = d_out + ((b * g.oh + oh) * g.ow + ow) * g.c;
        for (int64_t ih = rows.begin; ih < rows.end; ++ih)
          for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
            float* dx = image + (ih * g.w + iw) * g.c;
#pragma omp simd
            for (int64_t c = 0; c < g.c; ++c) dx[c] += dy[c] * inv;
          }
      }
    }
  }
}

}  // namespace tapeflow::kernels::cpu
