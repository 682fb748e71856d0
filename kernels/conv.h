#pragma once
// 2-D convolution and pooling on NHWC images; conv filters are HWIO. CPU: im2col + OpenBLAS SGEMM with
// the batch folded into the GEMM's M dimension (M = N * OH * OW).
#include <cstdint>

namespace tapeflow::kernels {

struct Conv2DGeometry {
  int64_t n, h, w, c;      // input [n, h, w, c]
  int64_t kh, kw, o;       // filter [kh, kw, c, o] (pooling: window kh x kw, o == c)
  int64_t oh, ow;          // output [n, oh, ow, o]
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left;
  // A 1x1, stride-1, unpadded conv is a plain GEMM on the input: no im2col needed.
  bool pointwise() const {
    return kh == 1 && kw == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 && pad_left == 0;
  }
  int64_t col_rows() const { return n * oh * ow; }
  int64_t col_cols() const { return kh * kw * c; }
};

namespace cpu {

// col [n * oh * ow, kh * kw * c]: the input patch of every output position (zeros in the padding).
void im2col(const float* input, float* col, const Conv2DGeometry& g);
// out [n, oh, ow, o] = im2col(input) @ filter; `col` is scratch of col_rows x col_cols (unused if pointwise)
// and holds im2col(input) afterwards.
void conv2d_forward(const float* input, const float* filter, float* out, float* col, const Conv2DGeometry& g);
// d_filter [kh*kw*c, o] = col^T @ d_out (col = im2col(input), or the input itself if pointwise).
void conv2d_backward_filter(const float* col, const float* d_out, float* d_filter, const Conv2DGeometry& g);
// d_input [n, h, w, c] = col2im(d_out @ filter^T); `d_col` is scratch of col_rows x col_cols.
void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float* d_col,
                           const Conv2DGeometry& g);

// Max pooling: out [n, oh, ow, c] and, if non-null, the flat input index of each maximum.
void max_pool_forward(const float* input, float* out, int64_t* argmax, const Conv2DGeometry& g);
// d_input (zeroed here) += d_out routed to the recorded maxima.
void max_pool_backward(const float* d_out, const int64_t* argmax, float* d_input, const Conv2DGeometry& g);
// Average pooling over the in-bounds part of each window (TF's rule under SAME padding).
void avg_pool_forward(const float* input, float* out, const Conv2DGeometry& g);
void avg_pool_backward(const float* d_out, float* d_input, const Conv2DGeometry& g);

}  // namespace cpu
}  // namespace tapeflow::kernels
