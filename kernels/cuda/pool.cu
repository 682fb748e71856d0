// Max and average pooling over NHWC images on CUDA. CPU twin: kernels/cpu/pool.cpp, whose summation
// orders these kernels keep: forward windows are read row by row, and each input element's gradient
// adds its windows' contributions in output order — so max pooling matches the CPU bit for bit.
//
// Forward: one thread per output element (b, oh, ow, ch); neighbouring threads take neighbouring
// channels, so every load of a window row is coalesced. Backward gathers instead of scattering: one
// thread per input element sums over the (at most ceil(k / stride)^2) windows that contain it, so the
// input gradient is fully written without atomics or a zero fill, in a fixed order.
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/pool.h"

namespace tapeflow::kernels::cuda {

namespace {

// The in-bounds part [begin, end) of the window starting at `start` (k wide) over [0, extent).
struct Span {
  int64_t begin, end;
};
__device__ __forceinline__ Span clip(int64_t start, int64_t k, int64_t extent) {
  return {start < 0 ? 0 : start, start + k < extent ? start + k : extent};
}

// The outputs [first, last] along one dim whose windows contain input position i.
__device__ __forceinline__ Span windows_over(int64_t i, int64_t pad, int64_t k, int64_t stride, int64_t outputs) {
  const int64_t lowest = i + pad - k + 1;  // the first window start (in padded coordinates) that reaches i
  const int64_t first = lowest <= 0 ? 0 : (lowest + stride - 1) / stride;
  const int64_t last = (i + pad) / stride;
  return {first, last < outputs - 1 ? last : outputs - 1};
}

// Unravels element e of an [n, rows, cols, c] tensor.
struct Pixel {
  int64_t b, row, col, ch;
};
__device__ __forceinline__ Pixel unravel(int64_t e, int64_t rows, int64_t cols, int64_t c) {
  const int64_t ch = e % c;
  e /= c;
  const int64_t col = e % cols;
  e /= cols;
  return {e / rows, e % rows, col, ch};
}

template <bool kArgmax>
__global__ void max_pool_forward_kernel(const float* input, float* out, int32_t* argmax, Conv2DGeometry g,
                                        int64_t total) {
  for (int64_t e = global_thread(); e < total; e += grid_threads()) {
    const Pixel p = unravel(e, g.oh, g.ow, g.c);
    const Span rows = clip(p.row * g.stride_h - g.pad_top, g.kh, g.h);
    const Span cols = clip(p.col * g.stride_w - g.pad_left, g.kw, g.w);
    const float* image = input + p.b * g.h * g.w * g.c;
    int64_t best_at = (rows.begin * g.w + cols.begin) * g.c + p.ch;
    float best = image[best_at];
    for (int64_t ih = rows.begin; ih < rows.end; ++ih)
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) {
        const int64_t at = (ih * g.w + iw) * g.c + p.ch;
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

__global__ void max_pool_backward_kernel(const float* d_out, const int32_t* argmax, float* d_input, Conv2DGeometry g,
                                         int64_t total) {
  for (int64_t e = global_thread(); e < total; e += grid_threads()) {
    const Pixel p = unravel(e, g.h, g.w, g.c);
    const int64_t self = (p.row * g.w + p.col) * g.c + p.ch;  // as argmax records it
    const Span ohs = windows_over(p.row, g.pad_top, g.kh, g.stride_h, g.oh);
    const Span ows = windows_over(p.col, g.pad_left, g.kw, g.stride_w, g.ow);
    float sum = 0.f;
    for (int64_t oh = ohs.begin; oh <= ohs.end; ++oh)
      for (int64_t ow = ows.begin; ow <= ows.end; ++ow) {
        const int64_t o = ((p.b * g.oh + oh) * g.ow + ow) * g.c + p.ch;
        if (argmax[o] == self) sum += d_out[o];
      }
    d_input[e] = sum;
  }
}

__device__ __forceinline__ float inverse_count(Span rows, Span cols) {
  return 1.f / static_cast<float>((rows.end - rows.begin) * (cols.end - cols.begin));
}

__global__ void avg_pool_forward_kernel(const float* input, float* out, Conv2DGeometry g, int64_t total) {
  for (int64_t e = global_thread(); e < total; e += grid_threads()) {
    const Pixel p = unravel(e, g.oh, g.ow, g.c);
    const Span rows = clip(p.row * g.stride_h - g.pad_top, g.kh, g.h);
    const Span cols = clip(p.col * g.stride_w - g.pad_left, g.kw, g.w);
    const float* image = input + p.b * g.h * g.w * g.c;
    float sum = 0.f;
    for (int64_t ih = rows.begin; ih < rows.end; ++ih)
      for (int64_t iw = cols.begin; iw < cols.end; ++iw) sum += image[(ih * g.w + iw) * g.c + p.ch];
    out[e] = sum * inverse_count(rows, cols);
  }
}

__global__ void avg_pool_backward_kernel(const float* d_out, float* d_input, Conv2DGeometry g, int64_t total) {
  for (int64_t e = global_thread(); e < total; e += grid_threads()) {
    const Pixel p = unravel(e, g.h, g.w, g.c);
    const Span ohs = windows_over(p.row, g.pad_top, g.kh, g.stride_h, g.oh);
    const Span ows = windows_over(p.col, g.pad_left, g.kw, g.stride_w, g.ow);
    float sum = 0.f;
    for (int64_t oh = ohs.begin; oh <= ohs.end; ++oh) {
      const Span rows = clip(oh * g.stride_h - g.pad_top, g.kh, g.h);
      for (int64_t ow = ows.begin; ow <= ows.end; ++ow) {
        const Span cols = clip(ow * g.stride_w - g.pad_left, g.kw, g.w);
        sum += d_out[((p.b * g.oh + oh) * g.ow + ow) * g.c + p.ch] * inverse_count(rows, cols);
      }
    }
    d_input[e] = sum;
  }
}

// Launches `kernel` over `total` elements (none: nothing to do).
template <class... KernelArgs, class... Args>
void launch(int device, void (*kernel)(KernelArgs...), int64_t total, Args... args) {
  if (total == 0) return;
  cudaStream_t stream = stream_for(device);
  kernel<<<grid_for(device, total), kThreads, 0, stream>>>(args..., total);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace

void max_pool_forward(int device, const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  const int64_t total = g.n * g.oh * g.ow * g.c;
  if (argmax != nullptr) launch(device, max_pool_forward_kernel<true>, total, input, out, argmax, g);
  else launch(device, max_pool_forward_kernel<false>, total, input, out, argmax, g);
}

void max_pool_backward(int device, const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g) {
  launch(device, max_pool_backward_kernel, g.n * g.h * g.w * g.c, d_out, argmax, d_input, g);
}

void avg_pool_forward(int device, const float* input, float* out, const Conv2DGeometry& g) {
  launch(device, avg_pool_forward_kernel, g.n * g.oh * g.ow * g.c, input, out, g);
}

void avg_pool_backward(int device, const float* d_out, float* d_input, const Conv2DGeometry& g) {
  launch(device, avg_pool_backward_kernel, g.n * g.h * g.w * g.c, d_out, d_input, g);
}

}  // namespace tapeflow::kernels::cuda
