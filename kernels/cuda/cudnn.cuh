#pragma once
// One cuDNN handle per device, bound to the device's compute stream, and owning wrappers of the
// descriptors that the legacy (cudnn_cnn) API takes. Makes the device current.
#include <cudnn.h>

namespace tapeflow::kernels::cuda {

cudnnHandle_t cudnn_handle(int device);

// An NHWC float tensor [n, h, w, c] (cuDNN is told the dims in its n, c, h, w order).
class TensorDescriptor {
 public:
  TensorDescriptor(int n, int h, int w, int c);
  ~TensorDescriptor() { cudnnDestroyTensorDescriptor(desc_); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

// Float filters [o, kh, kw, c] (cuDNN's NHWC filter layout, "KRSC").
class FilterDescriptor {
 public:
  FilterDescriptor(int o, int kh, int kw, int c);
  ~FilterDescriptor() { cudnnDestroyFilterDescriptor(desc_); }
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
  cudnnFilterDescriptor_t get() const { return desc_; }

 private:
  cudnnFilterDescriptor_t desc_ = nullptr;
};

// A float cross-correlation (what TF and cuDNN call convolution) with symmetric padding.
class ConvolutionDescriptor {
 public:
  ConvolutionDescriptor(int pad_h, int pad_w, int stride_h, int stride_w, int dilation_h, int dilation_w,
                        cudnnMathType_t math);
  ~ConvolutionDescriptor() { cudnnDestroyConvolutionDescriptor(desc_); }
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  cudnnConvolutionDescriptor_t get() const { return desc_; }

 private:
  cudnnConvolutionDescriptor_t desc_ = nullptr;
};

}  // namespace tapeflow::kernels::cuda
