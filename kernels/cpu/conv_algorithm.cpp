// kernels/conv.h's CPU convolutions: the Winograd algorithm where it applies (5x5, stride 1, >= 16 channels each
// way; kernels/cpu/winograd_5x5.h), forwards and filter gradients over few input channels by their own direct
// kernel (kernels/cpu/conv_few_channels.h), else this build's direct convolution (kernels/cpu/conv_direct.h). Deciding
// here keeps the choice out of the two direct twins.
#include "kernels/conv.h"
#include "kernels/cpu/conv_direct.h"
#include "kernels/cpu/conv_few_channels.h"
#include "kernels/cpu/winograd_5x5.h"

namespace tapeflow::kernels::cpu {

namespace {
// The few-channels kernel has no input gradient: a first layer's input is data, which needs none.
bool few_channels(ConvPass pass, const Conv2DGeometry& g) {
  return pass != ConvPass::kBackwardInput && conv_few_channels_applies(g);
}
}  // namespace

int64_t conv2d_scratch_size(ConvPass pass, const Conv2DGeometry& g) {
  if (winograd_5x5_applies(g)) return winograd_5x5_scratch_size(pass, g);
  if (few_channels(pass, g)) return conv_few_channels_scratch_size(pass, g);
  return direct::conv2d_scratch_size(pass, g);
}

void conv2d_forward(const float* input, const float* filter, float* out, float* scratch, const Conv2DGeometry& g) {
  if (winograd_5x5_applies(g)) return winograd_5x5_forward(input, filter, nullptr, false, out, scratch, g);
  if (conv_few_channels_applies(g)) return conv_few_channels_forward(input, filter, nullptr, false, out, scratch, g);
  direct::conv2d_forward(input, filter, out, scratch, g);
}

void conv2d_bias_relu_forward(const float* input, const float* filter, const float* bias, float* out,
                              float* scratch, const Conv2DGeometry& g) {
  if (winograd_5x5_applies(g)) return winograd_5x5_forward(input, filter, bias, true, out, scratch, g);
  if (conv_few_channels_applies(g)) return conv_few_channels_forward(input, filter, bias, true, out, scratch, g);
  direct::conv2d_bias_relu_forward(input, filter, bias, out, scratch, g);
}

void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float* scratch,
                           const Conv2DGeometry& g) {
  if (winograd_5x5_applies(g)) return winograd_5x5_backward_input(d_out, filter, d_input, scratch, g);
  direct::conv2d_backward_input(d_out, filter, d_input, scratch, g);
}

void conv2d_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                            const Conv2DGeometry& g) {
  if (winograd_5x5_applies(g)) return winograd_5x5_backward_filter(input, d_out, d_filter, scratch, g);
  if (conv_few_channels_applies(g)) return conv_few_channels_backward_filter(input, d_out, d_filter, scratch, g);
  direct::conv2d_backward_filter(input, d_out, d_filter, scratch, g);
}

}  // namespace tapeflow::kernels::cpu
