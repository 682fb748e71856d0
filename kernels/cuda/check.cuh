#pragma once
// Every CUDA runtime, cuBLAS and cuDNN call goes through a check macro: a failure throws tapeflow::Error
// naming the library's message, the call, file and line. The cuBLAS and cuDNN macros expand only where
// used, so their headers are included by the files that call those libraries, not here.
#include <cuda_runtime.h>

#include <string>

#include "tapeflow/error.h"

namespace tapeflow::kernels::cuda {

// "<library> error: <message> in <call> at <file>:<line>"
[[noreturn]] inline void throw_library_error(const char* library, const char* message, const char* call,
                                             const char* file, int line) {
  throw Error(std::string(library) + " error: " + message + " in " + call + " at " + file + ":" +
              std::to_string(line));
}

[[noreturn]] inline void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  throw_library_error("CUDA", cudaGetErrorString(status), call, file, line);
}

}  // namespace tapeflow::kernels::cuda

#define TAPEFLOW_CUDA_CHECK(call)                                                      \
  do {                                                                                 \
    cudaError_t tapeflow_status_ = (call);                                             \
    if (tapeflow_status_ != cudaSuccess)                                               \
      ::tapeflow::kernels::cuda::throw_cuda_error(tapeflow_status_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: launch configuration errors surface here.
#define TAPEFLOW_CUDA_CHECK_LAUNCH() TAPEFLOW_CUDA_CHECK(cudaGetLastError())

// Needs kernels/cuda/cublas.cuh.
#define TAPEFLOW_CUBLAS_CHECK(call)                                                                         \
  do {                                                                                                      \
    cublasStatus_t tapeflow_status_ = (call);                                                               \
    if (tapeflow_status_ != CUBLAS_STATUS_SUCCESS)                                                          \
      ::tapeflow::kernels::cuda::throw_library_error(                                                       \
          "cuBLAS", ::tapeflow::kernels::cuda::cublas().GetStatusString(tapeflow_status_), #call, __FILE__, \
          __LINE__);                                                                                        \
  } while (0)

// Needs kernels/cuda/cudnn.cuh.
#define TAPEFLOW_CUDNN_CHECK(call)                                                                          \
  do {                                                                                                      \
    cudnnStatus_t tapeflow_status_ = (call);                                                                \
    if (tapeflow_status_ != CUDNN_STATUS_SUCCESS)                                                           \
      ::tapeflow::kernels::cuda::throw_library_error(                                                       \
          "cuDNN", ::tapeflow::kernels::cuda::cudnn().GetErrorString(tapeflow_status_), #call, __FILE__,    \
          __LINE__);                                                                                        \
  } while (0)
