#pragma once
// Every CUDA runtime call goes through TAPEFLOW_CUDA_CHECK: a failure throws with call, file and line.
#include <cuda_runtime.h>

#include <string>

#include "tapeflow/error.h"

namespace tapeflow::kernels::cuda {

[[noreturn]] inline void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  throw Error(std::string("CUDA error: ") + cudaGetErrorString(status) + " in " + call + " at " + file + ":" +
              std::to_string(line));
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
