#pragma once
// This build's direct convolutions, the same five functions as kernels/conv.h's CPU ones: oneDNN's
// (kernels/cpu/conv_onednn.cpp) or im2col + OpenBLAS (kernels/cpu/conv.cpp). kernels/cpu/conv_algorithm.cpp
// implements kernels/conv.h by choosing, per geometry, between these, the Winograd convolution and the kernel for
// few input channels (forward and filter gradient).
#include "kernels/conv.h"

namespace tapeflow::kernels::cpu::direct {

int64_t conv2d_scratch_size(ConvPass pass, const Conv2DGeometry& g);
void conv2d_forward(const float* input, const float* filter, float* out, float* scratch, const Conv2DGeometry& g);
void conv2d_bias_relu_forward(const float* input, const float* filter, const float* bias, float* out,
                              float* scratch, const Conv2DGeometry& g);
void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float* scratch,
                           const Conv2DGeometry& g);
void conv2d_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                            const Conv2DGeometry& g);

}  // namespace tapeflow::kernels::cpu::direct
