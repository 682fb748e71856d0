#include <array>
#include <mutex>

#include "kernels/cuda/bad_input.cuh"
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

DeviceProperties device_properties(int device) {
  cudaDeviceProp prop{};
  TAPEFLOW_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return {prop.name, prop.multiProcessorCount, prop.major, prop.minor, prop.totalGlobalMem};
}

std::string device_name(int device) { return device_properties(device).name; }

void* try_malloc(int device, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  void* ptr = nullptr;
  const cudaError_t status = cudaMalloc(&ptr, nbytes);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky, but leave no trace for the next launch check
    return nullptr;
  }
  TAPEFLOW_CUDA_CHECK(status);
  return ptr;
}

void free(int device, void* ptr) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaFree(ptr));
}

void* malloc_pinned_host(size_t nbytes) {
  void* ptr = nullptr;
  TAPEFLOW_CUDA_CHECK(cudaMallocHost(&ptr, nbytes));
  return ptr;
}

void free_pinned_host(void* ptr) { TAPEFLOW_CUDA_CHECK(cudaFreeHost(ptr)); }

void memset_zero(int device, void* ptr, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(ptr, 0, nbytes, compute_stream(device)));
}

void copy_host_to_device(int device, void* dst, const void* src, size_t nbytes) {
  copy_host_to_device_async(device, dst, src, nbytes);
  wait_for_stream(device);
}

void copy_host_to_device_async(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyHostToDevice, compute_stream(device)));
}

void copy_device_to_host(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, compute_stream(device)));
  wait_for_stream(device);
}

void copy_device_to_device(int device, void* dst, const void* src, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, compute_stream(device)));
}

void synchronize(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  wait_for_stream(device);
}

namespace {

Event record_event_with_flags(int device, unsigned flags) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  cudaEvent_t event = nullptr;
  TAPEFLOW_CUDA_CHECK(cudaEventCreateWithFlags(&event, flags));
  TAPEFLOW_CUDA_CHECK(cudaEventRecord(event, compute_stream(device)));
  return event;
}

}  // namespace

Event record_event(int device) { return record_event_with_flags(device, cudaEventDisableTiming); }

Event record_timing_event(int device) { return record_event_with_flags(device, cudaEventDefault); }

float elapsed_ms(Event start, Event end) {
  TAPEFLOW_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(end)));
  float ms = 0;
  TAPEFLOW_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start), static_cast<cudaEvent_t>(end)));
  return ms;
}

bool event_done(Event event) {
  const cudaError_t status = cudaEventQuery(static_cast<cudaEvent_t>(event));
  if (status == cudaErrorNotReady) {
    cudaGetLastError();
    return false;
  }
  TAPEFLOW_CUDA_CHECK(status);
  return true;
}

void destroy_event(Event event) { TAPEFLOW_CUDA_CHECK(cudaEventDestroy(static_cast<cudaEvent_t>(event))); }

// --- scratch ---

namespace {

void* plain_allocate(int device, size_t nbytes) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  void* ptr = nullptr;
  TAPEFLOW_CUDA_CHECK(cudaMalloc(&ptr, nbytes));
  return ptr;
}

void plain_deallocate(int device, void* ptr, size_t) { free(device, ptr); }

std::mutex scratch_mutex;
ScratchAllocator scratch_allocator{plain_allocate, plain_deallocate};

ScratchAllocator current_scratch_allocator() {
  std::lock_guard lock(scratch_mutex);
  return scratch_allocator;
}

}  // namespace

void install_scratch_allocator(ScratchAllocator allocator) {
  std::lock_guard lock(scratch_mutex);
  scratch_allocator = allocator;
}

Scratch::Scratch(int device, size_t nbytes) : device_(device), nbytes_(nbytes), allocator_(current_scratch_allocator()) {
  if (nbytes_ > 0) data_ = allocator_.allocate(device_, nbytes_);
}

Scratch::~Scratch() {
  if (data_ != nullptr) allocator_.deallocate(device_, data_, nbytes_);
}

}  // namespace tapeflow::kernels::cuda
