#pragma once
// conv2d forward for 5x5 filters at stride 1 by Winograd's minimal filtering F(4x4, 5x5) (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2016). Each 4x4 output tile is read from an 8x8 input
// tile; after both are transformed, a tile costs 64 multiplies per (input, output) channel pair instead of
// direct convolution's 400. The transformed tiles of a block of tiles meet the transformed filters in 64 small
// GEMMs, one per point of the 8x8 transform; the block is sized so that all of it stays in L2.
//
// For the notes' CNN (conv2: 32 -> 64 channels on 14x14) this does 4.2 of direct convolution's 20.1 MFLOP per
// image in GEMMs, plus the transforms. Results differ from direct convolution by rounding only: the transforms
// mix values with weights up to 21/4, which costs about 2-3x direct's float error (tests/engine/winograd_test.cpp).
// A NaN or infinite input makes every output of the tiles whose 8x8 input tile holds it NaN, not only its 5x5
// neighbours (as cuDNN's Winograd algorithms do).
//
// The input gradient of such a convolution is one too (the output gradient convolved with the filter turned
// 180 degrees, its channels swapped), and the filter gradient is F(5x5, 4x4) on the same points, so all of
// conv2d's passes run here where winograd_5x5_applies (kernels/cpu/conv_algorithm.cpp).
#include <cstdint>

#include "kernels/conv.h"

namespace tapeflow::kernels::cpu {

// 5x5 filters, stride 1, no dilation, and enough channels that the per-point GEMMs are worth their transforms:
// then every pass of conv2d runs here.
bool winograd_5x5_applies(const Conv2DGeometry& g);

// Floats of scratch that conv2d's `pass` of g needs here at the current OpenMP thread count.
int64_t winograd_5x5_scratch_size(ConvPass pass, const Conv2DGeometry& g);

// out [n, oh, ow, o] = conv2d(input, filter), plus bias [o] when bias is not null, then max(., 0) when relu.
void winograd_5x5_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                          float* scratch, const Conv2DGeometry& g);

// d_input [n, h, w, c] (fully written) = the gradient of the forward with respect to its input, given
// d_out [n, oh, ow, o].
void winograd_5x5_backward_input(const float* d_out, const float* filter, float* d_input, float* scratch,
                                 const Conv2DGeometry& g);

// d_filter [5, 5, c, o] (fully written) = the gradient with respect to the filter, from the forward's input.
void winograd_5x5_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                                  const Conv2DGeometry& g);

// The same for one instruction set: 16-lane AVX-512 or 8-lane AVX2 vectors (kernels/cpu/isa_*.cpp).
// winograd_5x5_forward picks the widest the CPU has (kernels/cpu/cpu_features.h); tests run both.
void winograd_5x5_forward_avx512(const float* input, const float* filter, const float* bias, bool relu, float* out,
                                 float* scratch, const Conv2DGeometry& g);
void winograd_5x5_forward_avx2(const float* input, const float* filter, const float* bias, bool relu, float* out,
                               float* scratch, const Conv2DGeometry& g);
void winograd_5x5_backward_filter_avx512(const float* input, const float* d_out, float* d_filter, float* scratch,
                                         const Conv2DGeometry& g);
void winograd_5x5_backward_filter_avx2(const float* input, const float* d_out, float* d_filter, float* scratch,
                                       const Conv2DGeometry& g);

// The scratch layout both instruction sets share, in floats for vectors of `lanes` floats: the transformed
// filter [kPoints][c][o rounded up to lanes], then per thread one block's transformed input tiles
// [kPoints][kBlockTiles][c rounded up] (point-major, as the GEMMs read them) and GEMM outputs
// [kBlockTiles][kPoints][o rounded up] (tile-major, as the output transform reads them). Each point's plane of
// inputs and each tile's outputs is padded by a cache line: unpadded, they would sit a multiple of 4 KB apart,
// in the same L1 set.
namespace winograd_5x5 {
// Internal linkage: each object that includes this, the AVX-512 one among them, keeps its own copies
// (tests/kernels/isa_symbols.sh).
namespace {
constexpr int kTile = 4;                   // output tile side
constexpr int kTaps = 5;                   // filter side
constexpr int kAlpha = kTile + kTaps - 1;  // input tile side
constexpr int kPoints = kAlpha * kAlpha;   // transform points, one GEMM each
constexpr int kBlockTiles = 48;            // tiles transformed and multiplied together (GEMM rows: 6 | 8 | 12 | 24)
constexpr int kLineFloats = 16;
inline int64_t round_up(int64_t x, int64_t lanes) { return (x + lanes - 1) / lanes * lanes; }
inline int64_t filter_floats(const Conv2DGeometry& g, int lanes) { return kPoints * g.c * round_up(g.o, lanes); }
inline int64_t input_plane_floats(const Conv2DGeometry& g, int lanes) {
  return kBlockTiles * round_up(g.c, lanes) + kLineFloats;
}
inline int64_t output_tile_floats(const Conv2DGeometry& g, int lanes) {
  return kPoints * round_up(g.o, lanes) + kLineFloats;
}
inline int64_t block_floats(const Conv2DGeometry& g, int lanes) {
  return kPoints * input_plane_floats(g, lanes) + kBlockTiles * output_tile_floats(g, lanes);
}
// The filter gradient's, per thread: its sums [kPoints][c][o rounded up], a block's transformed input tiles as
// above and transformed output-gradient tiles [kPoints][kBlockTiles][o rounded up] (point-major).
inline int64_t output_gradient_plane_floats(const Conv2DGeometry& g, int lanes) {
  return kBlockTiles * round_up(g.o, lanes) + kLineFloats;
}
inline int64_t filter_gradient_thread_floats(const Conv2DGeometry& g, int lanes) {
  return filter_floats(g, lanes) + kPoints * (input_plane_floats(g, lanes) + output_gradient_plane_floats(g, lanes));
}
}  // namespace
}  // namespace winograd_5x5

}  // namespace tapeflow::kernels::cpu
