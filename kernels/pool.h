#pragma once
// 2-D max and average pooling over NHWC images, on the window geometry that conv2d uses (kernels/conv.h;
// pools have no dilation and g.o == g.c). CPU implementations in kernels/cpu/pool.cpp, CUDA ones (the
// same declarations with a device first) in kernels/cuda/pool.cu.
#include <cstdint>

#include "kernels/conv.h"

namespace tapeflow::kernels::cpu {

// input [n, h, w, c] -> out [n, oh, ow, c]; when argmax is non-null it receives, per output element, the
// index (ih * w + iw) * c + channel within its image of the (first) maximum of its window.
void max_pool_forward(const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g);
// d_input [n, h, w, c] (fully written) = d_out [n, oh, ow, c] routed to the recorded maxima.
void max_pool_backward(const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g);
// The mean over the in-bounds part of each window (TF's rule under SAME padding).
void avg_pool_forward(const float* input, float* out, const Conv2DGeometry& g);
// d_input [n, h, w, c] (fully written): each d_out element spread evenly over its window's in-bounds part.
void avg_pool_backward(const float* d_out, float* d_input, const Conv2DGeometry& g);

}  // namespace tapeflow::kernels::cpu

namespace tapeflow::kernels::cuda {

void max_pool_forward(int device, const float* input, float* out, int32_t* argmax, const Conv2DGeometry& g);
void max_pool_backward(int device, const float* d_out, const int32_t* argmax, float* d_input, const Conv2DGeometry& g);
void avg_pool_forward(int device, const float* input, float* out, const Conv2DGeometry& g);
void avg_pool_backward(int device, const float* d_out, float* d_input, const Conv2DGeometry& g);

}  // namespace tapeflow::kernels::cuda
