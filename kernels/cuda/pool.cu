// Max and average pooling over NHWC images on CUDA. CPU twin: kernels/cpu/pool.cpp, whose summation
// orders these kernels keep: forward windows are read row by row, and each input element's gradient
// adds its windows' contributions in output order — so max pooling matches the CPU bit for bit.
//
// Forward: one thread per output pixel and group of V channels (V = 4, one float4, when the channel count
// and the pointers allow; else 1); neighbouring threads take neighbouring channels, so every load of a window
// row is coalesced. Backward gathers instead of scattering: one thread per input pixel and channel group sums
// over the (at most ceil(k / stride)^2) windows that contain it, so the input gradient is fully written
// without atomics or a zero fill, in a fixed order. Where the windows tile the image, each input has one
// window, and a thread per window writes it whole.
//
// These kernels do little arithmetic per byte but unravel an index per thread: with hardware division they
// were bound by it (max pooling's backward at 13% of the copy bandwidth). 32-bit launches divide by
// multiplying (kernels/cuda/fast_divisor.h), and channel groups divide the unravelling among four channels.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/cuda/fast_divisor.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/pool.h"

namespace tapeflow::kernels::cuda {

namespace {

// 64-bit launches (tensors past 2^31 elements) divide by the hardware's division.
struct PlainDivisor {
  explicit PlainDivisor(int64_t d) : d_(d) {}
  __device__ int64_t divisor() const { return d_; }
  __device__ int64_t divide(int64_t x) const { return x / d_; }

 private:
  int64_t d_;
};
template <class I>
using Divisor = std::conditional_t<std::is_same_v<I, int32_t>, FastDivisor, PlainDivisor>;

// The geometry in the launch's index type, with a divisor for every size an index is divided by.
template <class I>
struct Geometry {
  Geometry(const Conv2DGeometry& g, int channels_per_thread)
      : h(I(g.h)), w(I(g.w)), c(I(g.c)), kh(I(g.kh)), kw(I(g.kw)), oh(I(g.oh)), ow(I(g.ow)), pad_top(I(g.pad_top)),
        pad_left(I(g.pad_left)), stride_h(I(g.stride_h)), stride_w(I(g.stride_w)), by_h(divisor(h)), by_w(divisor(w)),
        by_oh(divisor(oh)), by_ow(divisor(ow)), by_groups(divisor(c / I(channels_per_thread))) {}
  // A divisor must be positive; a size of 0 (an empty output) leaves nothing to unravel by it.
  static I divisor(I size) { return size < 1 ? 1 : size; }
  I h, w, c, kh, kw, oh, ow, pad_top, pad_left;
  Divisor<I> stride_h, stride_w;
  Divisor<I> by_h, by_w, by_oh, by_ow, by_groups;  // unravel's: image rows and columns, channel groups
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
__device__ __forceinline__ Span<I> windows_over(I i, I pad, I k, const Divisor<I>& stride, I outputs) {
  const I lowest = i + pad - k + 1;  // the first window start (in padded coordinates) that reaches i
  const I first = lowest <= 0 ? 0 : stride.divide(lowest + stride.divisor() - 1);
  const I last = stride.divide(i + pad);
  return {first, last < outputs - 1 ? last : outputs - 1};
}

// Unravels item e of an [n, rows, cols, groups] grid: a pixel and its group of channels.
template <class I>
struct Pixel {
  I b, row, col, group;
};
template <class I>
__device__ __forceinline__ Pixel<I> unravel(I e, const Divisor<I>& rows, const Divisor<I>& cols,
                                            const Divisor<I>& groups) {
  const I pixel = groups.divide(e);
  const I image_row = cols.divide(pixel);
  const I b = rows.divide(image_row);
  return {b, image_row - b * rows.divisor(), pixel - image_row * cols.divisor(), e - pixel * groups.divisor()};
}

// V channels, moved as one load or store.
template <int V>
using Floats = Pack<float, V>;
template <int V>
using Indices = Pack<int32_t, V>;
template <int V, class T>
__device__ __forceinline__ Pack<T, V> load_pack(const T* from) {
  return *reinterpret_cast<const Pack<T, V>*>(from);
}

// kWindow > 0 promises a kWindow x kWindow window (the notes' CNN pools 2x2): the loops over it unroll, and
// its loads issue together instead of one round trip to memory after another.
template <class I, int V, bool kArgmax, int kWindow>
__global__ void max_pool_forward_kernel(const float* input, float* out, int32_t* argmax, Geometry<I> g, I total) {
  const I kh = kWindow > 0 ? I(kWindow) : g.kh, kw = kWindow > 0 ? I(kWindow) : g.kw;
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.by_oh, g.by_ow, g.by_groups);
    const I channel = p.group * V;
    const I top = p.row * g.stride_h.divisor() - g.pad_top, left = p.col * g.stride_w.divisor() - g.pad_left;
    const Span<I> rows = clip(top, kh, g.h), cols = clip(left, kw, g.w);
    const float* image = input + p.b * g.h * g.w * g.c;
    const I first = (rows.begin * g.w + cols.begin) * g.c + channel;
    Floats<V> best = load_pack<V>(image + first);
    I best_at[V];
#pragma unroll
    for (int j = 0; j < V; ++j) best_at[j] = first;
#pragma unroll
    for (I dh = 0; dh < kh; ++dh) {
      const I ih = top + dh;
#pragma unroll
      for (I dw = 0; dw < kw; ++dw) {
        const I iw = left + dw;
        if (ih < rows.begin || ih >= rows.end || iw < cols.begin || iw >= cols.end) continue;  // padding
        const I at = (ih * g.w + iw) * g.c + channel;
        const Floats<V> x = load_pack<V>(image + at);
#pragma unroll
        for (int j = 0; j < V; ++j)
          if (x.v[j] > best.v[j]) {  // strictly: the first maximum wins, as on the CPU
            best.v[j] = x.v[j];
            best_at[j] = at;
          }
      }
    }
    *reinterpret_cast<Floats<V>*>(out + e * V) = best;
    if (kArgmax) {
      Indices<V> where;
#pragma unroll
      for (int j = 0; j < V; ++j) where.v[j] = static_cast<int32_t>(best_at[j] + j);
      *reinterpret_cast<Indices<V>*>(argmax + e * V) = where;
    }
  }
}

template <class I, int V>
__global__ void max_pool_backward_kernel(const float* d_out, const int32_t* argmax, float* d_input, Geometry<I> g,
                                         I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.by_h, g.by_w, g.by_groups);
    const I channel = p.group * V;
    const I self = (p.row * g.w + p.col) * g.c + channel;  // as argmax records it
    const Span<I> ohs = windows_over(p.row, g.pad_top, g.kh, g.stride_h, g.oh);
    const Span<I> ows = windows_over(p.col, g.pad_left, g.kw, g.stride_w, g.ow);
    Floats<V> sum{};
    for (I oh = ohs.begin; oh <= ohs.end; ++oh)
      for (I ow = ows.begin; ow <= ows.end; ++ow) {
        const I o = ((p.b * g.oh + oh) * g.ow + ow) * g.c + channel;
        const Indices<V> from = load_pack<V>(argmax + o);
        const Floats<V> d = load_pack<V>(d_out + o);
#pragma unroll
        for (int j = 0; j < V; ++j)
          if (from.v[j] == self + j) sum.v[j] += d.v[j];
      }
    *reinterpret_cast<Floats<V>*>(d_input + e * V) = sum;
  }
}

// The backward when the windows tile the image (stride == window, none starting in the padding, every input in
// one: the notes' 2x2/2 pooling): a thread per output pixel and channel group reads its gradient and argmax
// once and writes its whole window, the maximum's gradient (0 + it, as the gather adds) and zeros elsewhere.
template <class I, int V>
__global__ void max_pool_backward_tiling_kernel(const float* d_out, const int32_t* argmax, float* d_input,
                                                Geometry<I> g, I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.by_oh, g.by_ow, g.by_groups);
    const I channel = p.group * V;
    const Indices<V> from = load_pack<V>(argmax + e * V);
    const Floats<V> d = load_pack<V>(d_out + e * V);
    const I top = p.row * g.kh, left = p.col * g.kw;
    const I bottom = top + g.kh < g.h ? top + g.kh : g.h, right = left + g.kw < g.w ? left + g.kw : g.w;
    float* image = d_input + p.b * g.h * g.w * g.c;
    for (I ih = top; ih < bottom; ++ih)
      for (I iw = left; iw < right; ++iw) {
        const I at = (ih * g.w + iw) * g.c + channel;
        Floats<V> grad;
#pragma unroll
        for (int j = 0; j < V; ++j) grad.v[j] = from.v[j] == at + j ? 0.f + d.v[j] : 0.f;
        *reinterpret_cast<Floats<V>*>(image + at) = grad;
      }
  }
}

template <class I>
__device__ __forceinline__ float inverse_count(Span<I> rows, Span<I> cols) {
  return 1.f / static_cast<float>((rows.end - rows.begin) * (cols.end - cols.begin));
}

template <class I, int V>
__global__ void avg_pool_forward_kernel(const float* input, float* out, Geometry<I> g, I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.by_oh, g.by_ow, g.by_groups);
    const I channel = p.group * V;
    const Span<I> rows = clip(p.row * g.stride_h.divisor() - g.pad_top, g.kh, g.h);
    const Span<I> cols = clip(p.col * g.stride_w.divisor() - g.pad_left, g.kw, g.w);
    const float* image = input + p.b * g.h * g.w * g.c;
    Floats<V> sum{};
    for (I ih = rows.begin; ih < rows.end; ++ih)
      for (I iw = cols.begin; iw < cols.end; ++iw) {
        const Floats<V> x = load_pack<V>(image + (ih * g.w + iw) * g.c + channel);
#pragma unroll
        for (int j = 0; j < V; ++j) sum.v[j] += x.v[j];
      }
    const float inverse = inverse_count(rows, cols);
#pragma unroll
    for (int j = 0; j < V; ++j) sum.v[j] *= inverse;
    *reinterpret_cast<Floats<V>*>(out + e * V) = sum;
  }
}

template <class I, int V>
__global__ void avg_pool_backward_kernel(const float* d_out, float* d_input, Geometry<I> g, I total) {
  for (I e = I(global_thread()); e < total; e += I(grid_threads())) {
    const Pixel<I> p = unravel(e, g.by_h, g.by_w, g.by_groups);
    const I channel = p.group * V;
    const Span<I> ohs = windows_over(p.row, g.pad_top, g.kh, g.stride_h, g.oh);
    const Span<I> ows = windows_over(p.col, g.pad_left, g.kw, g.stride_w, g.ow);
    Floats<V> sum{};
    for (I oh = ohs.begin; oh <= ohs.end; ++oh) {
      const Span<I> rows = clip(oh * g.stride_h.divisor() - g.pad_top, g.kh, g.h);
      for (I ow = ows.begin; ow <= ows.end; ++ow) {
        const Span<I> cols = clip(ow * g.stride_w.divisor() - g.pad_left, g.kw, g.w);
        const Floats<V> d = load_pack<V>(d_out + ((p.b * g.oh + oh) * g.ow + ow) * g.c + channel);
        const float inverse = inverse_count(rows, cols);
#pragma unroll
        for (int j = 0; j < V; ++j) sum.v[j] += d.v[j] * inverse;
      }
    }
    *reinterpret_cast<Floats<V>*>(d_input + e * V) = sum;
  }
}

// Indices stay below this in 32-bit launches, with room for a grid-stride step past the last element.
constexpr int64_t kInt32IndexLimit = (int64_t{1} << 31) - (int64_t{1} << 24);

// Launches Kernel<I, V>::kernel over the `elements` elements of the input or the output (none: nothing to do):
// I = int32_t unless the tensors are too large for 32-bit indices; V = 4 channels per thread when `pointers`
// are all 16-byte aligned (or null) and the channel count is a multiple of 4.
template <template <class, int> class Kernel, class... Args>
void launch(int device, const Conv2DGeometry& g, int64_t elements, std::initializer_list<const void*> pointers,
            Args... args) {
  if (elements == 0) return;
  const bool by_four = g.c % 4 == 0 && std::all_of(pointers.begin(), pointers.end(),
                                                   [](const void* p) { return aligned_to(p, 16); });
  const int64_t total = by_four ? elements / 4 : elements;
  cudaStream_t stream = stream_for(device);
  const auto with = [&](auto index, auto channels_per_thread) {
    using I = decltype(index);
    constexpr int V = decltype(channels_per_thread)::value;
    const unsigned grid = resident_grid_for(device, Kernel<I, V>::kernel, kThreads, total, kThreads);
    Kernel<I, V>::kernel<<<grid, kThreads, 0, stream>>>(args..., Geometry<I>(g, V), I(total));
  };
  if (std::max(g.n * g.h * g.w * g.c, g.n * g.oh * g.ow * g.c) < kInt32IndexLimit) {
    by_four ? with(int32_t{}, std::integral_constant<int, 4>{}) : with(int32_t{}, std::integral_constant<int, 1>{});
  } else {
    by_four ? with(int64_t{}, std::integral_constant<int, 4>{}) : with(int64_t{}, std::integral_constant<int, 1>{});
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

// The kernels by index type and channels per thread, for launch().
template <bool kArgmax, int kWindow>
struct MaxPoolForward {
  template <class I, int V> struct Kernel { static constexpr auto kernel = max_pool_forward_kernel<I, V, kArgmax, kWindow>; };
};
template <class I, int V> struct MaxPoolBackward { static constexpr auto kernel = max_pool_backward_kernel<I, V>; };
template <class I, int V> struct MaxPoolBackwardTiling { static constexpr auto kernel = max_pool_backward_tiling_kernel<I, V>; };
template <class I, int V> struct AvgPoolForward { static constexpr auto kernel = avg_pool_forward_kernel<I, V>; };
template <class I, int V> struct AvgPoolBackward { static constexpr auto kernel = avg_pool_backward_kernel<I, V>; };

}  // namespace

void max_pool_forward(int device, const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g) {
  const int64_t outputs = g.n * g.oh * g.ow * g.c;
  const auto with = [&](auto forward) {
    launch<decltype(forward)::template Kernel>(device, g, outputs, {input, out, argmax}, input, out, argmax);
  };
  const bool two_by_two = g.kh == 2 && g.kw == 2;
  if (argmax != nullptr) two_by_two ? with(MaxPoolForward<true, 2>{}) : with(MaxPoolForward<true, 0>{});
  else two_by_two ? with(MaxPoolForward<false, 2>{}) : with(MaxPoolForward<false, 0>{});
}

void max_pool_backward(int device, const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g) {
  const bool windows_tile = g.stride_h == g.kh && g.stride_w == g.kw && g.pad_top == 0 && g.pad_left == 0 &&
                            g.oh * g.kh >= g.h && g.ow * g.kw >= g.w;
  if (windows_tile) {
    launch<MaxPoolBackwardTiling>(device, g, g.n * g.oh * g.ow * g.c, {d_out, argmax, d_input}, d_out, argmax, d_input);
  } else {
    launch<MaxPoolBackward>(device, g, g.n * g.h * g.w * g.c, {d_out, argmax, d_input}, d_out, argmax, d_input);
  }
}

void avg_pool_forward(int device, const float* input, float* out, const Conv2DGeometry& g) {
  launch<AvgPoolForward>(device, g, g.n * g.oh * g.ow * g.c, {input, out}, input, out);
}

void avg_pool_backward(int device, const float* d_out, float* d_input, const Conv2DGeometry& g) {
  launch<AvgPoolBackward>(device, g, g.n * g.h * g.w * g.c, {d_out, d_input}, d_out, d_input);
}

}  // namespace tapeflow::kernels::cuda
