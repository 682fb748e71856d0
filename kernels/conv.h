#pragma once
// 2-D convolution on NHWC images with HWIO filters. CPU, chosen at build time (TAPEFLOW_ONEDNN):
// oneDNN's AVX-512 convolutions (kernels/cpu/conv_onednn.cpp), or im2col + OpenBLAS SGEMM with the batch
// folded into the GEMM's M dimension (kernels/cpu/conv.cpp); in both builds 5x5 stride-1 convolutions with >= 16
// channels each way run our Winograd algorithm instead, and stride-1 forwards and filter gradients over <= 4 input
// channels our direct kernel for few channels (kernels/cpu/conv_algorithm.cpp chooses). The geometry is shared
// with pooling (kernels/pool.h).
#include <cstdint>

namespace tapeflow::kernels {

// Output (oh, ow) reads input rows oh * stride_h - pad_top + i * dilation_h for i < kh (columns alike);
// positions outside the input are padding.
struct Conv2DGeometry {
  int64_t n, h, w, c;  // input [n, h, w, c]
  int64_t kh, kw, o;   // filters [kh, kw, c, o] (pooling: window kh x kw, o == c)
  int64_t oh, ow;      // output [n, oh, ow, o]
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left;
  // A 1x1, stride-1, unpadded conv is a plain GEMM on the input: its im2col matrix is the input itself.
  bool pointwise() const {
    return kh == 1 && kw == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 && pad_left == 0;
  }
  int64_t col_rows() const { return n * oh * ow; }
  int64_t col_cols() const { return kh * kw * c; }
};

namespace cpu {

enum class ConvPass { kForward, kBackwardInput, kBackwardFilter, kForwardBiasRelu };

// Floats of scratch that the CPU `pass` needs for geometry g (0: pass nullptr). The caller allocates it
// (through its caching allocator), so the kernels never allocate per call.
int64_t conv2d_scratch_size(ConvPass pass, const Conv2DGeometry& g);

// out [n, oh, ow, o] = the convolution of input [n, h, w, c] with filter [kh, kw, c, o].
void conv2d_forward(const float* input, const float* filter, float* out, float* scratch, const Conv2DGeometry& g);
// out = max(conv2d(input, filter) + bias, 0) with bias [o]: a conv layer's forward, the bias and the ReLU
// applied while each output tile is still in registers or cache (oneDNN post-ops, or our kernels' last step)
// instead of as two more passes over the whole output.
void conv2d_bias_relu_forward(const float* input, const float* filter, const float* bias, float* out,
                              float* scratch, const Conv2DGeometry& g);
// d_input [n, h, w, c] (fully written) = the gradient of the forward with respect to its input, given
// d_out [n, oh, ow, o].
void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float* scratch,
                           const Conv2DGeometry& g);
// d_filter [kh, kw, c, o] (fully written) = the gradient with respect to the filter, from the forward's input.
void conv2d_backward_filter(const float* input, const float* d_out, float* d_filter, float* scratch,
                            const Conv2DGeometry& g);

}  // namespace cpu

// The same three products on CUDA device `device` (every pointer in its memory), through cuDNN in NHWC,
// queued on the device's compute stream; outputs are fully written. Filters stay HWIO as on the CPU.
namespace cuda {

struct ConvOptions {
  bool allow_tf32 = false;  // TF32 tensor-core math (tapeflow/runtime.h)
  // Pick algorithms by timing them (cudnnFind*, once per shape) instead of cuDNN's heuristics. The ops pass the
  // runtime's setting (tapeflow/runtime.h), which times them by default; this struct's default is the plain call.
  bool measure_algorithms = false;
  bool deterministic = false;  // only algorithms cuDNN marks deterministic (tapeflow/runtime.h)
};

void conv2d_forward(int device, const float* input, const float* filter, float* out, const Conv2DGeometry& g,
                    const ConvOptions& options = {});
void conv2d_backward_input(int device, const float* d_out, const float* filter, float* d_input,
                           const Conv2DGeometry& g, const ConvOptions& options = {});
void conv2d_backward_filter(int device, const float* input, const float* d_out, float* d_filter,
                            const Conv2DGeometry& g, const ConvOptions& options = {});

}  // namespace cuda
}  // namespace tapeflow::kernels
