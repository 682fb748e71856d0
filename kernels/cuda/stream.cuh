#pragma once
// The one stream that orders every tapeflow kernel, copy and allocation reuse on a device.
// Kernels launch on compute_stream(device); host-visible results need a synchronize first.
#include <cuda_runtime.h>

namespace tapeflow::kernels::cuda {

cudaStream_t compute_stream(int device);

}  // namespace tapeflow::kernels::cuda
