// Which convolutions take the few-channels direct path, its scratch, and the choice of instruction set.
#include "kernels/cpu/conv_few_channels.h"

#include <omp.h>

#include "kernels/cpu/cpu_features.h"

namespace tapeflow::kernels::cpu {

bool conv_few_channels_applies(const Conv2DGeometry& g) {
  return g.o >= 1 && g.c <= 4 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 && g.dilation_w == 1;
}

int64_t conv_few_channels_scratch_size(ConvPass pass, const Conv2DGeometry& g) {
  using namespace conv_few_channels;
  if (pass == ConvPass::kBackwardFilter) return omp_get_max_threads() * gradient_thread_floats(g);
  return filter_floats(g) + omp_get_max_threads() * image_floats(g);
}

void conv_few_channels_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                               float* scratch, const Conv2DGeometry& g) {
  widest_build(conv_few_channels_forward_avx512, conv_few_channels_forward_avx2)(input, filter, bias, relu, out,
                                                                                scratch, g);
}

void conv_few_channels_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                                       const Conv2DGeometry& g) {
  widest_build(conv_few_channels_backward_filter_avx512, conv_few_channels_backward_filter_avx2)(input, d_out,
                                                                                              d_filter, scratch, g);
}

}  // namespace tapeflow::kernels::cpu
