#include <array>
#include <mutex>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/dynamic_library.cuh"
#include "kernels/cuda/cudnn.cuh"
#include "kernels/cuda/stream.cuh"

namespace tapeflow::kernels::cuda {

const CudnnEntryPoints& cudnn() {
  static const CudnnEntryPoints entry_points = [] {
    const DynamicLibrary library("cuDNN", "libcudnn.so." TAPEFLOW_SONAME_VERSION(CUDNN_MAJOR));
    CudnnEntryPoints e;
#define TAPEFLOW_CUDNN_RESOLVE(member, symbol) library.resolve(e.member, #symbol);
    TAPEFLOW_CUDNN_ENTRY_POINTS(TAPEFLOW_CUDNN_RESOLVE)
#undef TAPEFLOW_CUDNN_RESOLVE
    return e;
  }();
  return entry_points;
}

cudnnHandle_t cudnn_handle(int device) {
  constexpr int kMaxDevices = 64;
  // Never destroyed: cudnnDestroy after the driver's teardown at exit fails.
  static std::array<cudnnHandle_t, kMaxDevices> handles{};
  static std::array<std::once_flag, kMaxDevices> created;
  std::call_once(created.at(static_cast<size_t>(device)), [device] {
    TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
    cudnnHandle_t handle = nullptr;
    TAPEFLOW_CUDNN_CHECK(cudnn().Create(&handle));
    TAPEFLOW_CUDNN_CHECK(cudnn().SetStream(handle, compute_stream(device)));
    handles[static_cast<size_t>(device)] = handle;
  });
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  return handles[static_cast<size_t>(device)];
}

TensorDescriptor::TensorDescriptor(int n, int h, int w, int c) {
  TAPEFLOW_CUDNN_CHECK(cudnn().CreateTensorDescriptor(&desc_));
  TAPEFLOW_CUDNN_CHECK(cudnn().SetTensor4dDescriptor(desc_, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, n, c, h, w));
}

FilterDescriptor::FilterDescriptor(int o, int kh, int kw, int c) {
  TAPEFLOW_CUDNN_CHECK(cudnn().CreateFilterDescriptor(&desc_));
  TAPEFLOW_CUDNN_CHECK(cudnn().SetFilter4dDescriptor(desc_, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, o, c, kh, kw));
}

ConvolutionDescriptor::ConvolutionDescriptor(int pad_h, int pad_w, int stride_h, int stride_w, int dilation_h,
                                             int dilation_w, cudnnMathType_t math) {
  TAPEFLOW_CUDNN_CHECK(cudnn().CreateConvolutionDescriptor(&desc_));
  TAPEFLOW_CUDNN_CHECK(cudnn().SetConvolution2dDescriptor(desc_, pad_h, pad_w, stride_h, stride_w, dilation_h,
                                                       dilation_w, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  TAPEFLOW_CUDNN_CHECK(cudnn().SetConvolutionMathType(desc_, math));
}

}  // namespace tapeflow::kernels::cuda
