#pragma once
// One cuBLAS handle per device, bound to the device's compute stream, with a fixed workspace from the
// scratch allocator (so cuBLAS never calls cudaMalloc itself). Makes the device current.
#include <cublas_v2.h>

namespace tapeflow::kernels::cuda {

cublasHandle_t cublas_handle(int device);

}  // namespace tapeflow::kernels::cuda
