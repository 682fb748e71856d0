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

// Both passes split two dimensions into register blocks whose sizes are template arguments.

// Output channels [0, o) as blocks of NV vectors of L (NV <= kMaxVectors; fewer for the last block, so that no
// vector of it is empty): visit.template operator()<NV>(first channel, channels in the block's last vector).
template <int L, int NV = kMaxVectors<L>, class Visit>
void for_channel_blocks(int64_t o, Visit&& visit, int64_t oc = 0) {
  if constexpr (NV > 1)
    if (o - oc <= (NV - 1) * L) return for_channel_blocks<L, NV - 1>(o, visit, oc);
  visit.template operator()<NV>(oc, std::min<int64_t>(L, o - oc - (NV - 1) * L));
  if (o - oc > NV * L) for_channel_blocks<L>(o, visit, oc + NV * L);
}

// visit.template operator()<Size>() for Size == count, 1 <= count <= Max.
template <int Max, class Visit>
void with_size(int count, Visit&& visit) {
  if constexpr (Max > 1)
    if (count < Max) return with_size<Max - 1>(count, visit);
  visit.template operator()<Max>();
}

// [0, total) as the fewest blocks of at most Max, of equal sizes: visit.template operator()<Size>(first).
template <int Max, class Visit>
void for_equal_blocks(int64_t total, Visit&& visit) {
  const int64_t blocks = (total + Max - 1) / Max;
  for (int64_t k = 0, first = 0; k < blocks; ++k) {
    const int64_t end = (k + 1) * total / blocks;
    with_size<Max>(static_cast<int>(end - first), [&]<int Size>() { visit.template operator()<Size>(first); });
    first = end;
  }
}

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
  int64_t lanes;         // output channels in the block's last vector (set per block)
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

// One output row: its output channels NV vectors at a time, across the row in as few pixel blocks as the registers
// allow, of equal sizes.
template <int L>
void output_row(const RowOperands& row, const Conv2DGeometry& g) {
  for_channel_blocks<L>(g.o, [&]<int NV>(int64_t oc, int64_t lanes) {
    RowOperands block = row;
    block.filter += oc;
    block.bias = row.bias ? row.bias + oc : nullptr;
    block.out += oc;
    block.lanes = lanes;
    for_equal_blocks<kTileRows<L, NV>>(
        g.ow, [&]<int P>(int64_t first_pixel) { pixel_block<L, NV, P>(block, first_pixel, g); });
  });
}

// Work items are bands of output rows, each image split into as many bands as it takes to give every thread work
// (one band per image when the batch has enough images); item b * per_image + band is image b's band.
struct Bands {
  Bands(const Conv2DGeometry& g, int threads)
      : per_image(g.n >= threads || g.n == 0 ? 1 : std::min<int64_t>(g.oh, (threads + g.n - 1) / g.n)),
        rows_(g.oh) {}
  int64_t first_row(int64_t band) const { return band * rows_ / per_image; }
  int64_t rows(int64_t band) const { return first_row(band + 1) - first_row(band); }

  int64_t per_image;

 private:
  int64_t rows_;  // per image
};

// Image b zero-padded into `image`'s planes [c][oh + kh - 1][ow + kw - 1], so that every output pixel's window lies
// inside it and a row's windows read consecutive floats.
void pad_image(const float* input, int64_t b, float* image, const Conv2DGeometry& g) {
  const int64_t padded_h = g.oh + g.kh - 1, padded_w = g.ow + g.kw - 1;
  // Input columns [0, w) land at padded columns [pad_left, pad_left + w), clipped to the padded width.
  const int64_t left = std::min(g.pad_left, padded_w), columns = std::min(g.w, padded_w - left);
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
  const int64_t padded_w = g.ow + g.kw - 1, plane = (g.oh + g.kh - 1) * padded_w;
  const bool stream = worth_streaming<L>(out, g.n * g.oh * g.ow * g.o, g.o);
  const Bands bands(g, omp_get_max_threads());
#pragma omp parallel
  {
    float* image = scratch + filter_floats(g) + omp_get_thread_num() * image_floats(g);
    int64_t padded_image = -1;
#pragma omp for schedule(static) nowait
    for (int64_t item = 0; item < g.n * bands.per_image; ++item) {
      const int64_t b = item / bands.per_image, band = item % bands.per_image;
      if (b != padded_image) pad_image(input, padded_image = b, image, g);
      for (int64_t y = bands.first_row(band); y < bands.first_row(band + 1); ++y)
        output_row<L>({.window = image + y * padded_w,
                       .padded_row = padded_w,
                       .plane = plane,
                       .filter = padded_filter,
                       .o_pad = o_pad,
                       .bias = bias,
                       .relu = relu,
                       .out = out + (b * g.oh + y) * g.ow * g.o,
                       .stream = stream},
                      g);
    }
    if (stream) stream_fence();  // before the region's closing barrier, after which others read the output
  }
}

// ---- the filter gradient: d_filter[i][j][ci][o] = sum over output pixels of the window's input pixel at tap
// (i, j, ci) times d_out's vector of output channels there. Each tap's sum runs in a register across a whole band
// of rows: the FMAs read one input pixel and NV d_out vectors, and nothing is stored until the band's end ----

// What every tap block of one band of output rows reads and adds to.
struct BandOperands {
  const float* image;   // the padded image's first plane at the band's first window's top-left pixel
  int64_t padded_row;   // floats per row of the padded image
  int64_t plane;        // floats per channel plane of the padded image
  int64_t rows;         // output rows in the band
  const float* d_out;   // d_out at the band's first pixel, at the first output channel of the block
  int64_t lanes;        // output channels in the block's last vector (set per block)
  float* partial;       // the thread's sums [kh][kw][c][o_pad] at the first output channel of the block
  int64_t o_pad;        // floats per tap of the sums
  int64_t next_rows;    // output rows in the next band, whose d_out follows this band's (0 after the batch's last)
};

// Taps [first_tap, first_tap + G) in d_filter's order x NV vectors of output channels, over the band's pixels.
template <int L, int NV, int G>
void tap_block(const BandOperands& band, int64_t first_tap, const Conv2DGeometry& g) {
  const auto lanes = [&](int v) { return v == NV - 1 ? band.lanes : L; };
  int64_t offset[G];  // of each tap's input pixel from its window's top-left one, in the padded image
#pragma GCC unroll 26
  for (int t = 0; t < G; ++t) {
    const int64_t tap = first_tap + t, ci = tap % g.c, j = tap / g.c % g.kw, i = tap / g.c / g.kw;
    offset[t] = ci * band.plane + i * band.padded_row + j;
  }
  // The first tap block reads the band's d_out from L3 (at batch 50 d_out is larger than L2) faster than L3
  // delivers it. The later blocks find it in L2 and prefetch the next band's into L2, which spreads the reads
  // from L3 over the whole band's time (6% faster at batch 50).
  const int64_t prefetch_rows = first_tap > 0 ? band.next_rows : 0, next_band = band.rows * g.ow * g.o;
  Vec<L> acc[G][NV] = {};
  for (int64_t y = 0; y < band.rows; ++y) {
    const float* window = band.image + y * band.padded_row;
    const float* d_out = band.d_out + y * g.ow * g.o;
    const bool prefetch = y < prefetch_rows;  // the same row of the next band
    for (int64_t x = 0; x < g.ow; ++x, ++window, d_out += g.o) {
      Vec<L> d[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) d[v] = load<L>(d_out + v * L, lanes(v));
      if (prefetch)
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) __builtin_prefetch(d_out + next_band + v * L, 0, 2);
#pragma GCC unroll 26
      for (int t = 0; t < G; ++t) {
        const Vec<L> xt = splat<L>(window[offset[t]]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[t][v] += xt * d[v];
      }
    }
  }
  float* partial = band.partial + first_tap * band.o_pad;
#pragma GCC unroll 26
  for (int t = 0; t < G; ++t)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      float* sums = partial + t * band.o_pad + v * L;
      store<L>(sums, load<L>(sums) + acc[t][v]);
    }
}

// Taps per block: with AVX-512, 26 accumulators (two more than the forward's tiles: no filter vectors to hold,
// only NV d_out vectors and one broadcast) put the notes' conv1's 25 taps x 2 vectors in two blocks, not three:
// 11% faster at batch 50. AVX2's 16 registers leave no such room.
template <int L, int NV> constexpr int kMaxTaps = L == 16 ? 26 / NV : kTileRows<L, NV>;

// One band: its output channels NV vectors at a time, all taps in as few blocks as the registers allow, of equal
// sizes.
template <int L>
void band_gradient(const BandOperands& band, const Conv2DGeometry& g) {
  for_channel_blocks<L>(g.o, [&]<int NV>(int64_t oc, int64_t lanes) {
    BandOperands block = band;
    block.d_out += oc;
    block.partial += oc;
    block.lanes = lanes;
    for_equal_blocks<kMaxTaps<L, NV>>(
        g.kh * g.kw * g.c, [&]<int G>(int64_t first_tap) { tap_block<L, NV, G>(block, first_tap, g); });
  });
}

template <int L>
void few_channels_filter_gradient(const float* input, const float* d_out, float* d_filter, float* scratch,
                                  const Conv2DGeometry& g) {
  using namespace conv_few_channels;
  const int64_t o_pad = padded_channels(g), all_taps = g.kh * g.kw * g.c;
  const int64_t padded_w = g.ow + g.kw - 1, plane = (g.oh + g.kh - 1) * padded_w;
  const Bands bands(g, omp_get_max_threads());
  // Each thread sums its bands into its own [kh][kw][c][o_pad]; then the threads' sums are added up, in thread
  // order, so a thread count always gives the same result.
  const auto thread_sums = [&](int thread) { return scratch + thread * gradient_thread_floats(g) + image_floats(g); };
#pragma omp parallel
  {
    float* image = scratch + omp_get_thread_num() * gradient_thread_floats(g);
    fill_zeros(thread_sums(omp_get_thread_num()), all_taps * o_pad);
    int64_t padded_image = -1;
#pragma omp for schedule(static)
    for (int64_t item = 0; item < g.n * bands.per_image; ++item) {
      const int64_t b = item / bands.per_image, band = item % bands.per_image;
      if (b != padded_image) pad_image(input, padded_image = b, image, g);
      const int64_t first_row = bands.first_row(band);
      band_gradient<L>({.image = image + first_row * padded_w,
                        .padded_row = padded_w,
                        .plane = plane,
                        .rows = bands.rows(band),
                        .d_out = d_out + (b * g.oh + first_row) * g.ow * g.o,
                        .partial = thread_sums(omp_get_thread_num()),
                        .o_pad = o_pad,
                        .next_rows = item + 1 < g.n * bands.per_image ? bands.rows((band + 1) % bands.per_image) : 0},
                       g);
    }
    const int team = omp_get_num_threads();
#pragma omp for schedule(static)
    for (int64_t tap = 0; tap < all_taps; ++tap)
      for (int64_t oc = 0; oc < g.o; ++oc) {
        float sum = 0.f;
        for (int thread = 0; thread < team; ++thread) sum += thread_sums(thread)[tap * o_pad + oc];
        d_filter[tap * g.o + oc] = sum;
      }
  }
}

}  // namespace
}  // namespace tapeflow::kernels::cpu
