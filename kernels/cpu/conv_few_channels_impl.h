#pragma once
// The direct convolution for few input channels (kernels/cpu/conv_few_channels.h) on vectors of L floats over
// the output channels. Included by one translation unit per instruction set (isa_avx2.cpp, isa_avx512.cpp), each
// compiled for its ISA with floating-point contraction on, so `acc += a * b` is one FMA.
#include <omp.h>

#include <algorithm>

#include "kernels/cpu/conv_few_channels.h"
#include "kernels/cpu/simd.h"

namespace tapeflow::kernels::cpu {
namespace {

// What every pixel block of one output row reads and writes.
struct RowOperands {
  const float* window;   // the padded image's first plane at the row's first window's top-left pixel
  int64_t padded_row;    // floats per row of the padded image
  int64_t plane;         // floats per channel plane of the padded image
  const float* filter;   // the padded filter at the first output channel of the block
  int64_t o_pad;         // floats per tap of the padded filter
  const float* bias;     // at the first output channel, or null
  bool relu;
  float* out;            // the output row at the first output channel of the block
  int64_t lanes;         // output channels in the block's last vector
  bool stream;           // store with non-temporal stores (whole, aligned vectors)
};

// P consecutive output pixels x NV vectors of output channels: each tap's input pixel broadcast against its NV
// filter vectors, the sums started from the bias, then the ReLU.
template <int L, int NV, int P>
void pixel_block(const RowOperands& row, int64_t first_pixel, const Conv2DGeometry& g) {
  const auto lanes = [&](int v) { return v == NV - 1 ? row.lanes : L; };
  Vec<L> acc[P][NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const Vec<L> start = row.bias ? load<L>(row.bias + v * L, lanes(v)) : Vec<L>{};
#pragma GCC unroll 24
    for (int p = 0; p < P; ++p) acc[p][v] = start;
  }
  const float* filter = row.filter;
  // Filter rows innermost: along a row, tap j + 1 reads what tap j read one pixel on, and GCC's predictive
  // commoning then carries the broadcasts' inputs in spilled registers.
  for (int64_t ci = 0; ci < g.c; ++ci)
    for (int64_t j = 0; j < g.kw; ++j)
      for (int64_t i = 0; i < g.kh; ++i, filter += row.o_pad) {
        const float* x = row.window + ci * row.plane + i * row.padded_row + j + first_pixel;
        Vec<L> f[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) f[v] = load<L>(filter + v * L);
#pragma GCC unroll 24
        for (int p = 0; p < P; ++p) {
          const Vec<L> xp = splat<L>(x[p]);
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) acc[p][v] += xp * f[v];
        }
      }
  float* out = row.out + first_pixel * g.o;
#pragma GCC unroll 24
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const Vec<L> y = row.relu ? relu_vector<L>(acc[p][v]) : acc[p][v];
      if (row.stream)
        store_streaming<L>(out + p * g.o + v * L, y);
      else
        store<L>(out + p * g.o + v * L, y, lanes(v));
    }
}

// One block of `count` <= kTileRows pixels.
template <int L, int NV, int P = kTileRows<L, NV>>
void pixels(int count, const RowOperands& row, int64_t first_pixel, const Conv2DGeometry& g) {
  if constexpr (P > 1)
    if (count < P) return pixels<L, NV, P - 1>(count, row, first_pixel, g);
  pixel_block<L, NV, P>(row, first_pixel, g);
}

// One output row, for output channels [oc, o): NV vectors of them at a time (fewer for the last), across the row
// in as few blocks as the registers allow, of equal sizes.
template <int L, int NV = kMaxVectors<L>>
void output_row(RowOperands row, int64_t oc, const Conv2DGeometry& g) {
  if constexpr (NV > 1)
    if (g.o - oc <= (NV - 1) * L) return output_row<L, NV - 1>(row, oc, g);
  RowOperands block = row;
  block.filter += oc;
  block.bias = row.bias ? row.bias + oc : nullptr;
  block.out += oc;
  block.lanes = std::min<int64_t>(L, g.o - oc - (NV - 1) * L);
  const int64_t blocks = (g.ow + kTileRows<L, NV> - 1) / kTileRows<L, NV>;
  for (int64_t k = 0, x = 0; k < blocks; ++k) {
    const int64_t end = (k + 1) * g.ow / blocks;
    pixels<L, NV>(static_cast<int>(end - x), block, x, g);
    x = end;
  }
  if (g.o - oc > NV * L) output_row<L>(row, oc + NV * L, g);
}

template <int L>
void few_channels_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                          float* scratch, const Conv2DGeometry& g) {
  using namespace conv_few_channels;
  const int64_t o_pad = padded_channels(g);
  float* padded_filter = scratch;  // [c][kw][kh][o_pad], in the order the blocks read it
  for (int64_t ci = 0; ci < g.c; ++ci)
    for (int64_t j = 0; j < g.kw; ++j)
      for (int64_t i = 0; i < g.kh; ++i) {
        float* to = padded_filter + ((ci * g.kw + j) * g.kh + i) * o_pad;
        const float* from = filter + ((i * g.kw + j) * g.c + ci) * g.o;
        for (int64_t oc = 0; oc < o_pad; ++oc) to[oc] = oc < g.o ? from[oc] : 0.f;
      }
  const int64_t padded_h = g.oh + g.kh - 1, padded_w = g.ow + g.kw - 1, plane = padded_h * padded_w;
  const bool stream = worth_streaming<L>(out, g.n * g.oh * g.ow * g.o, g.o);
  // Work items are bands of output rows, each image split into as many bands as it takes to give every thread
  // work (one band per image when the batch has enough images). A thread pads an image into its planes
  // (channel by channel) when it first takes one of its bands; then every window lies inside the padded image
  // and a block's pixels are consecutive floats.
  const int threads = omp_get_max_threads();
  const int64_t bands = g.n >= threads || g.n == 0 ? 1 : std::min<int64_t>(g.oh, (threads + g.n - 1) / g.n);
  // Input columns [0, w) land at padded columns [pad_left, pad_left + w), clipped to the padded width.
  const int64_t left = std::min(g.pad_left, padded_w), columns = std::min(g.w, padded_w - left);
#pragma omp parallel
  {
    float* image = scratch + filter_floats(g) + omp_get_thread_num() * image_floats(g);
    int64_t padded_image = -1;
#pragma omp for schedule(static) nowait
    for (int64_t item = 0; item < g.n * bands; ++item) {
      const int64_t b = item / bands, band = item % bands;
      if (b != padded_image) {
        for (int64_t ci = 0; ci < g.c; ++ci)
          for (int64_t r = 0; r < padded_h; ++r) {
            float* padded = image + (ci * padded_h + r) * padded_w;
            const int64_t y = r - g.pad_top;
            if (y < 0 || y >= g.h) {
              fill_zeros(padded, padded_w);
              continue;
            }
            const float* from = input + (b * g.h + y) * g.w * g.c + ci;
            fill_zeros(padded, left);
            for (int64_t x = 0; x < columns; ++x) padded[left + x] = from[x * g.c];
            fill_zeros(padded + left + columns, padded_w - left - columns);
          }
        padded_image = b;
      }
      for (int64_t y = band * g.oh / bands; y < (band + 1) * g.oh / bands; ++y)
        output_row<L>({.window = image + y * padded_w,
                       .padded_row = padded_w,
                       .plane = plane,
                       .filter = padded_filter,
                       .o_pad = o_pad,
                       .bias = bias,
                       .relu = relu,
                       .out = out + (b * g.oh + y) * g.ow * g.o,
                       .lanes = L,
                       .stream = stream},
                      0, g);
    }
    if (stream) stream_fence();  // before the region's closing barrier, after which others read the output
  }
}

}  // namespace
}  // namespace tapeflow::kernels::cpu
