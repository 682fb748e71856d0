#include "kernels/cuda/check.cuh"
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
  TAPEFLOW_CUDA_CHECK(cudaMemset(ptr, 0, nbytes));
}

void copy_host_to_device(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyHostToDevice));
}

void copy_device_to_host(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToHost));
}

void copy_device_to_device(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToDevice));
}

void synchronize(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaDeviceSynchronize());
}

}  // namespace tapeflow::kernels::cuda
