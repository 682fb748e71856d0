#pragma once
// The CUDA runtime seam: device discovery, memory and copies. Implemented in kernels/cuda/runtime.cu
// when the build has CUDA; every call is checked and throws tapeflow::Error naming the call, file, line.
#include <cstddef>
#include <string>

namespace tapeflow::kernels::cuda {

// 0 when there is no GPU or driver; never throws.
int device_count();
std::string device_name(int device);

void* malloc(int device, size_t nbytes);
void free(int device, void* ptr);
void memset_zero(int device, void* ptr, size_t nbytes);
void copy_host_to_device(int device, void* dst, const void* src, size_t nbytes);
void copy_device_to_host(int device, void* dst, const void* src, size_t nbytes);
void copy_device_to_device(int device, void* dst, const void* src, size_t nbytes);
void synchronize(int device);

}  // namespace tapeflow::kernels::cuda
