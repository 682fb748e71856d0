#include "engine/memory/device_memory.h"

#include <cstring>

#include "engine/capture.h"
#include "engine/check.h"
#include "engine/memory/cpu_allocator.h"
#include "engine/memory/cuda_allocator.h"
#include "engine/memory/pinned_host_allocator.h"
#include "kernels/cuda_runtime.h"

namespace tapeflow::memory {

namespace {
void check_cuda_device(Device device) {
  const int count = cuda_device_count();
  TAPEFLOW_CHECK(device.index >= 0 && device.index < count,
                 "device {} is not available: this machine has {} CUDA device(s)", device.to_string(), count);
}
}  // namespace

void* allocate(Device device, size_t nbytes) {
  if (device.is_cpu()) return CpuAllocator::instance().allocate(nbytes);
  check_cuda_device(device);
#ifdef TAPEFLOW_WITH_CUDA
  return cuda_allocator(device.index).allocate(nbytes);
#else
  return nullptr;
#endif
}

void deallocate(Device device, void* ptr, size_t nbytes) {
  if (device.is_cpu()) return CpuAllocator::instance().deallocate(ptr, nbytes);
#ifdef TAPEFLOW_WITH_CUDA
  cuda_allocator(device.index).deallocate(ptr, nbytes);
#endif
}

void copy(Device dst_device, void* dst, Device src_device, const void* src, size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, nbytes);
    return;
  }
#ifdef TAPEFLOW_WITH_CUDA
  const capture::QueueingOutsideCaptures queueing;  // until the copy is queued
  if (dst_device.is_cpu()) {
    capture::forbid("reading a value back to the host (item(), to(Device::cpu()), printing)");
    return kernels::cuda::copy_device_to_host(src_device.index, dst, src, nbytes);
  }
  if (src_device.is_cpu()) {
    capture::forbid("copying host data to the device (pass the step tensors on the device)");
    // From pinned memory the copy need not be waited for: the block outlives it (pinned_host_allocator.h).
    if (PinnedHostAllocator::instance().begin_async_read(src, nbytes, dst_device.index))
      return kernels::cuda::copy_host_to_device_async(dst_device.index, dst, src, nbytes);
    return kernels::cuda::copy_host_to_device(dst_device.index, dst, src, nbytes);
  }
  TAPEFLOW_CHECK(dst_device == src_device, "copy between two CUDA devices ({} -> {}) is not supported",
                 src_device.to_string(), dst_device.to_string());
  kernels::cuda::copy_device_to_device(dst_device.index, dst, src, nbytes);
#else
  throw Error("this build of tapeflow has no CUDA backend");
#endif
}

}  // namespace tapeflow::memory
