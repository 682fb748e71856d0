#pragma once
// conv2d forward and filter gradient for images with few channels (a first layer: 1 grey or 3 RGB), direct, on
// vectors over the output channels. Generic convolution code turns a pixel's c x kh x kw products into a GEMM
// with k = c * kh * kw (25 for the notes' conv1) or a reduction over c: with one input channel both run at a
// quarter of the FMA peak (oneDNN 2.6's conv1 at batch 50: 26%). Here each input pixel is broadcast against its
// taps' output-channel vectors, with a register tile of output pixels x output channels, so the FMAs never wait
// on loads.
#include <cstdint>

#include "kernels/conv.h"
#include "kernels/cpu/cpu_features.h"

namespace tapeflow::kernels::cpu {

// At least 1 output channel, at most 4 input channels, stride 1, no dilation (any filter size and padding).
bool conv_few_channels_applies(const Conv2DGeometry& g);

// Floats of scratch the forward or the filter gradient needs at the current OpenMP thread count.
int64_t conv_few_channels_scratch_size(ConvPass pass, const Conv2DGeometry& g);

// out [n, oh, ow, o] = conv2d(input, filter), plus bias [o] when bias is not null, then max(., 0) when relu.
void conv_few_channels_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                               float* scratch, const Conv2DGeometry& g);

// The same for one instruction set (kernels/cpu/isa_*.cpp); tests run both.
using ConvFewChannelsForward = void (*)(const float* input, const float* filter, const float* bias, bool relu,
                                        float* out, float* scratch, const Conv2DGeometry& g);
void conv_few_channels_forward_avx512(const float* input, const float* filter, const float* bias, bool relu,
                                      float* out, float* scratch, const Conv2DGeometry& g);
void conv_few_channels_forward_avx2(const float* input, const float* filter, const float* bias, bool relu,
                                    float* out, float* scratch, const Conv2DGeometry& g);

// d_filter [kh, kw, c, o] (fully written) = the gradient with respect to the filter. Each pixel's input values
// are broadcast against its d_out vectors of output channels, the sums held in registers across a band of rows.
void conv_few_channels_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                                       const Conv2DGeometry& g);
using ConvFewChannelsBackwardFilter = void (*)(const float* input, const float* d_out, float* d_filter,
                                               float* scratch, const Conv2DGeometry& g);
void conv_few_channels_backward_filter_avx512(const float* input, const float* d_out, float* d_filter,
                                              float* scratch, const Conv2DGeometry& g);
void conv_few_channels_backward_filter_avx2(const float* input, const float* d_out, float* d_filter,
                                            float* scratch, const Conv2DGeometry& g);

// The scratch layout both instruction sets share. The forward's: the filter with its output channels padded to
// whole vectors [c][kw][kh][o rounded up to 16], then per thread one image zero-padded so that every output
// pixel's window lies inside it, in planes: [c][oh + kh - 1][ow + kw - 1]. The filter gradient's: per thread, such
// an image and the thread's sums [kh][kw][c][o rounded up to 16].
namespace conv_few_channels {
// Internal linkage: each object that includes this, the AVX-512 one among them, keeps its own copies
// (tests/kernels/isa_symbols.sh).
namespace {
inline int64_t padded_channels(const Conv2DGeometry& g) {
  return (g.o + kWidestLanes - 1) / kWidestLanes * kWidestLanes;
}
inline int64_t filter_floats(const Conv2DGeometry& g) { return g.kh * g.kw * g.c * padded_channels(g); }
inline int64_t image_floats(const Conv2DGeometry& g) { return (g.oh + g.kh - 1) * (g.ow + g.kw - 1) * g.c; }
inline int64_t gradient_thread_floats(const Conv2DGeometry& g) { return image_floats(g) + filter_floats(g); }
}  // namespace
}  // namespace conv_few_channels

}  // namespace tapeflow::kernels::cpu
