// Which convolutions take the Winograd path, its scratch, and the choice of instruction set.
#include "kernels/cpu/winograd_5x5.h"

#include <omp.h>

#include "kernels/cpu/cpu_features.h"

namespace tapeflow::kernels::cpu {

// Below 16 channels either way the GEMMs are too thin to pay for the transforms (conv1's single input channel
// goes to direct convolution: kernels/cpu/conv_few_channels.h).
bool winograd_5x5_applies(const Conv2DGeometry& g) {
  return g.kh == 5 && g.kw == 5 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 && g.dilation_w == 1 &&
         g.c >= 16 && g.o >= 16;
}

namespace {

// The forward whose output is g's input gradient: d_out [n, oh, ow, o] in, d_input [n, h, w, c] out, padded
// so that input pixel y reads d_out rows y + pad_top - 4 .. y + pad_top, as the forward's outputs reach it.
Conv2DGeometry input_gradient_geometry(const Conv2DGeometry& g) {
  return {g.n, g.oh, g.ow, g.o, g.kh, g.kw, g.c, g.h, g.w, 1, 1, 1, 1, g.kh - 1 - g.pad_top, g.kw - 1 - g.pad_left};
}

// Sized for the widest vectors (kWidestLanes), whose rounding up of the channel counts needs the most.
int64_t forward_scratch_size(const Conv2DGeometry& g) {
  return winograd_5x5::filter_floats(g, kWidestLanes) +
         omp_get_max_threads() * winograd_5x5::block_floats(g, kWidestLanes);
}

}  // namespace

// The input gradient's scratch starts with its filter, turned and transposed.
int64_t winograd_5x5_scratch_size(ConvPass pass, const Conv2DGeometry& g) {
  switch (pass) {
    case ConvPass::kBackwardInput:
      return g.kh * g.kw * g.c * g.o + forward_scratch_size(input_gradient_geometry(g));
    case ConvPass::kBackwardFilter:
      return omp_get_max_threads() * winograd_5x5::filter_gradient_thread_floats(g, kWidestLanes);
    case ConvPass::kForward:
    case ConvPass::kForwardBiasRelu:
      break;
  }
  return forward_scratch_size(g);
}

void winograd_5x5_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                          float* scratch, const Conv2DGeometry& g) {
  widest_build(winograd_5x5_forward_avx512, winograd_5x5_forward_avx2)(input, filter, bias, relu, out, scratch, g);
}

void winograd_5x5_backward_input(const float* d_out, const float* filter, float* d_input, float* scratch,
                                 const Conv2DGeometry& g) {
  float* turned = scratch;  // [kh, kw, o, c]: tap (i, j) of the filter at (kh - 1 - i, kw - 1 - j), transposed
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) {
      const float* tap = filter + ((g.kh - 1 - i) * g.kw + (g.kw - 1 - j)) * g.c * g.o;
      float* turned_tap = turned + (i * g.kw + j) * g.o * g.c;
      for (int64_t ic = 0; ic < g.c; ++ic)
        for (int64_t oc = 0; oc < g.o; ++oc) turned_tap[oc * g.c + ic] = tap[ic * g.o + oc];
    }
  winograd_5x5_forward(d_out, turned, nullptr, false, d_input, scratch + g.kh * g.kw * g.c * g.o,
                       input_gradient_geometry(g));
}

void winograd_5x5_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                                  const Conv2DGeometry& g) {
  widest_build(winograd_5x5_backward_filter_avx512, winograd_5x5_backward_filter_avx2)(input, d_out, d_filter,
                                                                                      scratch, g);
}

}  // namespace tapeflow::kernels::cpu
