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

// The notes' pooling: 2x2 windows at stride 2 that tile the image exactly. Each output is the max of four
// contiguous runs of c channels and no window is clipped, so every output pixel is one vectorised loop; the
// general path's per-window bounds and loops cost it 1.5-2x here. Ties keep the first maximum, as there.
bool tiles_exactly_2x2(const Conv2DGeometry& g) {
  return g.kh == 2 && g.kw == 2 && g.stride_h == 2 && g.stride_w == 2 && g.dilation_h == 1 && g.dilation_w == 1 &&
         g.pad_top == 0 && g.pad_left == 0 && g.h == 2 * g.oh && g.w == 2 * g.ow;
}

// Calls f(out_offset, image_offset, at) for every output pixel of such a tiling, where `at` is its window's
// first element within the image (the others are at + c, at + w c, at + w c + c). Parallel over output rows.
// f reaches its captures through a pointer (OpenMP outlines the loop): it should copy the loop bounds it
// needs into locals, or GCC must assume that an int32_t store in its loop changes them, and will not vectorise.
template <class F> void for_each_2x2_window(const Conv2DGeometry& g, F f) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < g.n * g.oh; ++r) {
    const int64_t b = r / g.oh, oh = r % g.oh;
    for (int64_t ow = 0; ow < g.ow; ++ow)
      f((r * g.ow + ow) * g.c, b * g.h * g.w * g.c, static_cast<int32_t>((2 * oh * g.w + 2 * ow) * g.c));
  }
}

template <bool kArgmax> void max_pool_2x2(const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  for_each_2x2_window(g, [&](int64_t o, int64_t image, int32_t at) {
    const int32_t c = static_cast<int32_t>(g.c), row = static_cast<int32_t>(g.w * g.c);
    const float *x00 = input + image + at, *x01 = x00 + c, *x10 = x00 + row, *x11 = x10 + c;
    float* y = out + o;
    int32_t* y_at = kArgmax ? argmax + o : nullptr;
#pragma omp simd
    for (int32_t ch = 0; ch < c; ++ch) {
      float best = x00[ch];
      int32_t best_at = at + ch;
      const auto keep_greater = [&](float value, int32_t value_at) {
        const bool greater = value > best;
        best = greater ? value : best;
        if constexpr (kArgmax) best_at = greater ? value_at : best_at;
      };
      keep_greater(x01[ch], at + c + ch);
      keep_greater(x10[ch], at + row + ch);
      keep_greater(x11[ch], at + row + c + ch);
      y[ch] = best;
      if constexpr (kArgmax) y_at[ch] = best_at;
    }
  });
}

// Every input element lies in exactly one window: each is written once, with its window's gradient where it
// was the maximum and 0 elsewhere (no zeroing pass, no scattered adds). 0 + dy, as max_pool_backward's sum
// starts at 0: a -0 gradient becomes +0 on every path, here and on CUDA.
void max_pool_backward_2x2(const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g) {
  for_each_2x2_window(g, [&](int64_t o, int64_t image, int32_t at) {
    const int32_t c = static_cast<int32_t>(g.c), row = static_cast<int32_t>(g.w * g.c);
    const float* dy = d_out + o;
    const int32_t* best_at = argmax + o;
    float *x00 = d_input + image + at, *x01 = x00 + c, *x10 = x00 + row, *x11 = x10 + c;
#pragma omp simd
    for (int32_t ch = 0; ch < c; ++ch) {
      const float routed = 0.f + dy[ch];
      x00[ch] = best_at[ch] == at + ch ? routed : 0.f;
      x01[ch] = best_at[ch] == at + c + ch ? routed : 0.f;
      x10[ch] = best_at[ch] == at + row + ch ? routed : 0.f;
      x11[ch] = best_at[ch] == at + row + c + ch ? routed : 0.f;
    }
  });
}

float inverse_count(Span rows, Span cols) {
  return 1.f / static_cast<float>((rows.end - rows.begin) * (cols.end - cols.begin));
}

}  // namespace

void max_pool_forward(const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  if (tiles_exactly_2x2(g)) {
    return argmax ? max_pool_2x2<true>(input, out, argmax, g) : max_pool_2x2<false>(input, out, nullptr, g);
  }
  argmax ? max_pool<true>(input, out, argmax, g) : max_pool<false>(input, out, nullptr, g);
}

void max_pool_backward(const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g) {
  if (tiles_exactly_2x2(g)) return max_pool_backward_2x2(d_out, argmax, d_input, g);
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
