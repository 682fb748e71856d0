#pragma once
// cuDNN, opened on first use (dynamic_library.cuh): the entry points tapeflow calls, one handle per device,
// bound to the device's compute stream, and owning wrappers of the descriptors that the legacy (cudnn_cnn)
// API takes.
#include <cudnn.h>

namespace tapeflow::kernels::cuda {

// X(member, symbol) for each cuDNN function called: cudnn().member is the library's `symbol`.
#define TAPEFLOW_CUDNN_ENTRY_POINTS(X)                                                       \
  X(Create, cudnnCreate)                                                                     \
  X(SetStream, cudnnSetStream)                                                               \
  X(GetErrorString, cudnnGetErrorString)                                                     \
  X(CreateTensorDescriptor, cudnnCreateTensorDescriptor)                                     \
  X(SetTensor4dDescriptor, cudnnSetTensor4dDescriptor)                                       \
  X(DestroyTensorDescriptor, cudnnDestroyTensorDescriptor)                                   \
  X(CreateFilterDescriptor, cudnnCreateFilterDescriptor)                                     \
  X(SetFilter4dDescriptor, cudnnSetFilter4dDescriptor)                                       \
  X(DestroyFilterDescriptor, cudnnDestroyFilterDescriptor)                                   \
  X(CreateConvolutionDescriptor, cudnnCreateConvolutionDescriptor)                           \
  X(SetConvolution2dDescriptor, cudnnSetConvolution2dDescriptor)                             \
  X(SetConvolutionMathType, cudnnSetConvolutionMathType)                                     \
  X(DestroyConvolutionDescriptor, cudnnDestroyConvolutionDescriptor)                         \
  X(GetConvolution2dForwardOutputDim, cudnnGetConvolution2dForwardOutputDim)                 \
  X(GetConvolutionForwardAlgorithm_v7, cudnnGetConvolutionForwardAlgorithm_v7)               \
  X(GetConvolutionBackwardDataAlgorithm_v7, cudnnGetConvolutionBackwardDataAlgorithm_v7)     \
  X(GetConvolutionBackwardFilterAlgorithm_v7, cudnnGetConvolutionBackwardFilterAlgorithm_v7) \
  X(FindConvolutionForwardAlgorithmEx, cudnnFindConvolutionForwardAlgorithmEx)               \
  X(FindConvolutionBackwardDataAlgorithmEx, cudnnFindConvolutionBackwardDataAlgorithmEx)     \
  X(FindConvolutionBackwardFilterAlgorithmEx, cudnnFindConvolutionBackwardFilterAlgorithmEx) \
  X(ConvolutionForward, cudnnConvolutionForward)                                             \
  X(ConvolutionBackwardData, cudnnConvolutionBackwardData)                                   \
  X(ConvolutionBackwardFilter, cudnnConvolutionBackwardFilter)

struct CudnnEntryPoints {
#define TAPEFLOW_CUDNN_MEMBER(member, symbol) decltype(&::symbol) member = nullptr;
  TAPEFLOW_CUDNN_ENTRY_POINTS(TAPEFLOW_CUDNN_MEMBER)
#undef TAPEFLOW_CUDNN_MEMBER
};

// Opens cuDNN on the first call; throws tapeflow::Error when it is missing.
const CudnnEntryPoints& cudnn();

// Makes the device current.
cudnnHandle_t cudnn_handle(int device);

// An NHWC float tensor [n, h, w, c] (cuDNN is told the dims in its n, c, h, w order).
class TensorDescriptor {
 public:
  TensorDescriptor(int n, int h, int w, int c);
  ~TensorDescriptor() { cudnn().DestroyTensorDescriptor(desc_); }
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
  ~FilterDescriptor() { cudnn().DestroyFilterDescriptor(desc_); }
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
  ~ConvolutionDescriptor() { cudnn().DestroyConvolutionDescriptor(desc_); }
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  cudnnConvolutionDescriptor_t get() const { return desc_; }

 private:
  cudnnConvolutionDescriptor_t desc_ = nullptr;
};

}  // namespace tapeflow::kernels::cuda
