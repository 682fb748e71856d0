#include <array>
#include <mutex>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/stream.cuh"
#include "kernels/cuda_runtime.h"

namespace tapeflow::kernels::cuda {

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the sticky error, report none
    return 0;
  }
  return count;
}

cudaStream_t compute_stream(int device) {
  constexpr int kMaxDevices = 64;
  static std::array<cudaStream_t, kMaxDevices> streams{};
  static std::array<std::once_flag, kMaxDevices> created;
  std::call_once(created.at(static_cast<size_t>(device)), [device] {
    TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
    TAPEFLOW_CUDA_CHECK(cudaStreamCreateWithFlags(&streams[static_cast<size_t>(device)], cudaStreamNonBlocking));
  });
  return streams[static_cast<size_t>(device)];
}

std::string device_name(int device) {
  cudaDeviceProp prop{};
  TAPEFLOW_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return prop.name;
}

void* malloc(int device, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  void* ptr = nullptr;
  TAPEFLOW_CUDA_CHECK(cudaMalloc(&ptr, nbytes));
  return ptr;
}

void free(int device, void* ptr) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaFree(ptr));
}

void memset_zero(int device, void* ptr, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(ptr, 0, nbytes, compute_stream(device)));
}

void copy_host_to_device(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyHostToDevice, compute_stream(device)));
  TAPEFLOW_CUDA_CHECK(cudaStreamSynchronize(compute_stream(device)));
}

void copy_device_to_host(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, compute_stream(device)));
  TAPEFLOW_CUDA_CHECK(cudaStreamSynchronize(compute_stream(device)));
}

void copy_device_to_device(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, compute_stream(device)));
}

void synchronize(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaStreamSynchronize(compute_stream(device)));
}

}  // namespace tapeflow::kernels::cuda
