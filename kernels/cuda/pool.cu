// Max and average pooling over NHWC images on CUDA. CPU twin: kernels/cpu/pool.cpp, whose summation
// orders these kernels keep: forward windows are read row by row, and each input element's gradient
// adds its windows' contributions in output order — so max pooling matches the CPU bit for bit.
//
// Forward: one thread per output element (b, oh, ow, ch); neighbouring threads take neighbouring
// channels, so every load of a window row is coalesced. Backward gathers instead of scattering: one
// thread per input element sums over the (at most ceil(k / stride)^2) windows that contain it, so the
// input gradient is fully written without atomics or a zero fill, in a fixed order.
#include <algorithm>
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/pool.h"

namespace tapeflow::kernels::cuda {

namespace {

// The geometry in the launch's index type: 32-bit wherever every index fits, since these kernels are bound by
// their index arithmetic (a 64-bit division costs several times the instructions of a 32-bit one).
template <class I>
struct Geometry {
  explicit Geometry(const Conv2DGeometry& g)
      : h(I(g.h)), w(I(g.w)), c(I(g.c)), kh(I(g.kh)), kw(I(g.kw)), oh(I(g.oh)), ow(I(g.ow)), stride_h(I(g.stride_h)),
        stride_w(I(g.stride_w)), pad_top(I(g.pad_top)), pad_left(I(g.pad_left)) {}
  I h, w, c, kh, kw, oh, ow, stride_h, stride_w, pad_top, pad_left;
};

// The in-bounds part [begin, end) of the window starting at `start` (k wide) over [0, extent).
template <class I>
struct Span {
  I begin, end;
};
template <class I>
__device__ __forceinline__ Span<I> clip(I start, I k, I extent) {
  return {start < 0 ? 0 : start, start + k < extent ? start + k : extent};
}

// The outputs [first, last] along one dim whose windows contain input position i.
template <class I>
__device__ __forceinline__ Span<I> windows_over(I i, I pad, I k, I stride, I outputs) {
  const I lowest = i + pad - k + 1;  // the first window start (in padded coordinates) that reaches i
  const I first = lowest <= 0 ? 0 : (lowest + stride - 1) / stride;
  const I last = (i + pad) / stride;
  return {first, last < outputs - 1 ? last : outputs - 1};
}

// Unravels element e of an [n, rows, cols, c] tensor.
template <class I>
struct Pixel {
  I b, row, col, ch;
};
template <class I>
__device__ __forceinline__ Pixel<I> unravel(I e, I rows, I cols, I c) {
  const I ch = e % c;
  e /= c;
  const I col = e % cols;
  e /= cols;
  return {e / rows, e % rows, col, ch};
}

template <class I, bool kArgmax>
__global__ void max_pool_forward_kernel(const float* input, float* out, int32_t* argmax, Geometry<I> g,
                                        I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.oh, g.ow, g.c);
    const Span<I> rows = clip(p.row * g.stride_h - g.pad_top, g.kh, g.h);
    const Span<I> cols = clip(p.col * g.stride_w - g.pad_left, g.kw, g.w);
    const float* image = input + p.b * g.h * g.w * g.c;
    I best_at = (rows.begin * g.w + cols.begin) * g.c + p.ch;
    float best = image[best_at];
    for (I ih = rows.begin; ih < rows.end; ++ih)
      for (I iw = cols.begin; iw < cols.end; ++iw) {
        const I at = (ih * g.w + iw) * g.c + p.ch;
        const float x = image[at];
        if (x > best) {  // strictly: the first maximum wins, as on the CPU
          best = x;
          best_at = at;
        }
      }
    out[e] = best;
    if (kArgmax) argmax[e] = static_cast<int32_t>(best_at);
  }
}

template <class I>
__global__ void max_pool_backward_kernel(const float* d_out, const int32_t* argmax, float* d_input, Geometry<I> g,
                                         I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.h, g.w, g.c);
    const I self = (p.row * g.w + p.col) * g.c + p.ch;  // as argmax records it
    const Span<I> ohs = windows_over(p.row, g.pad_top, g.kh, g.stride_h, g.oh);
    const Span<I> ows = windows_over(p.col, g.pad_left, g.kw, g.stride_w, g.ow);
    float sum = 0.f;
    for (I oh = ohs.begin; oh <= ohs.end; ++oh)
      for (I ow = ows.begin; ow <= ows.end; ++ow) {
        const I o = ((p.b * g.oh + oh) * g.ow + ow) * g.c + p.ch;
        if (argmax[o] == self) sum += d_out[o];
      }
    d_input[e] = sum;
  }
}

template <class I>
__device__ __forceinline__ float inverse_count(Span<I> rows, Span<I> cols) {
  return 1.f / static_cast<float>((rows.end - rows.begin) * (cols.end - cols.begin));
}

template <class I>
__global__ void avg_pool_forward_kernel(const float* input, float* out, Geometry<I> g, I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.oh, g.ow, g.c);
    const Span<I> rows = clip(p.row * g.stride_h - g.pad_top, g.kh, g.h);
    const Span<I> cols = clip(p.col * g.stride_w - g.pad_left, g.kw, g.w);
    const float* image = input + p.b * g.h * g.w * g.c;
    float sum = 0.f;
    for (I ih = rows.begin; ih < rows.end; ++ih)
      for (I iw = cols.begin; iw < cols.end; ++iw) sum += image[(ih * g.w + iw) * g.c + p.ch];
    out[e] = sum * inverse_count(rows, cols);
  }
}

template <class I>
__global__ void avg_pool_backward_kernel(const float* d_out, float* d_input, Geometry<I> g, I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.h, g.w, g.c);
    const Span<I> ohs = windows_over(p.row, g.pad_top, g.kh, g.stride_h, g.oh);
    const Span<I> ows = windows_over(p.col, g.pad_left, g.kw, g.stride_w, g.ow);
    float sum = 0.f;
    for (I oh = ohs.begin; oh <= ohs.end; ++oh) {
      const Span<I> rows = clip(oh * g.stride_h - g.pad_top, g.kh, g.h);
      for (I ow = ows.begin; ow <= ows.end; ++ow) {
        const Span<I> cols = clip(ow * g.stride_w - g.pad_left, g.kw, g.w);
        sum += d_out[((p.b * g.oh + oh) * g.ow + ow) * g.c + p.ch] * inverse_count(rows, cols);
      }
    }
    d_input[e] = sum;
  }
}

// Indices stay below this in 32-bit launches, with room for a grid-stride step past the last element.
constexpr int64_t kInt32IndexLimit = (int64_t{1} << 31) - (int64_t{1} << 24);

// Launches kernel<int32_t> (or kernel<int64_t> when the input or output is too large for 32-bit indices)
// over `total` elements, each of the input's or the output's (none: nothing to do).
template <template <class> class Kernel, class... Args>
void launch(int device, const Conv2DGeometry& g, int64_t total, Args... args) {
  if (total == 0) return;
  cudaStream_t stream = stream_for(device);
  const unsigned grid = grid_for(device, total);
  if (std::max(g.n * g.h * g.w * g.c, g.n * g.oh * g.ow * g.c) < kInt32IndexLimit) {
    Kernel<int32_t>::kernel<<<grid, kThreads, 0, stream>>>(args..., Geometry<int32_t>(g), int32_t(total));
  } else {
    Kernel<int64_t>::kernel<<<grid, kThreads, 0, stream>>>(args..., Geometry<int64_t>(g), total);
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

// The kernels by index type, for launch().
template <class I> struct MaxPoolForwardWithArgmax { static constexpr auto kernel = max_pool_forward_kernel<I, true>; };
template <class I> struct MaxPoolForward { static constexpr auto kernel = max_pool_forward_kernel<I, false>; };
template <class I> struct MaxPoolBackward { static constexpr auto kernel = max_pool_backward_kernel<I>; };
template <class I> struct AvgPoolForward { static constexpr auto kernel = avg_pool_forward_kernel<I>; };
template <class I> struct AvgPoolBackward { static constexpr auto kernel = avg_pool_backward_kernel<I>; };

}  // namespace

void max_pool_forward(int device, const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  const int64_t total = g.n * g.oh * g.ow * g.c;
  if (argmax != nullptr) launch<MaxPoolForwardWithArgmax>(device, g, total, input, out, argmax);
  else launch<MaxPoolForward>(device, g, total, input, out, argmax);
}

void max_pool_backward(int device, const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g) {
  launch<MaxPoolBackward>(device, g, g.n * g.h * g.w * g.c, d_out, argmax, d_input);
}

void avg_pool_forward(int device, const float* input, float* out, const Conv2DGeometry& g) {
  launch<AvgPoolForward>(device, g, g.n * g.oh * g.ow * g.c, input, out);
}

void avg_pool_backward(int device, const float* d_out, float* d_input, const Conv2DGeometry& g) {
  launch<AvgPoolBackward>(device, g, g.n * g.h * g.w * g.c, d_out, d_input);
}

}  // namespace tapeflow::kernels::cuda
