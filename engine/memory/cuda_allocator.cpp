#include "engine/memory/cuda_allocator.h"

#include <array>
#include <cstdlib>
#include <string_view>

#include "engine/check.h"
#include "kernels/cuda_runtime.h"

namespace tapeflow::memory {

CachingAllocator::Mode cuda_allocator_mode(const char* env_value) {
  const std::string_view value = env_value == nullptr ? "" : env_value;
  if (value.empty() || value == "caching") return CachingAllocator::Mode::kCaching;
  if (value == "cudaMalloc") return CachingAllocator::Mode::kPassThrough;
  throw Error(fmt::format("TAPEFLOW_CUDA_ALLOCATOR: expected \"caching\" or \"cudaMalloc\", found \"{}\"", value));
}

#ifdef TAPEFLOW_WITH_CUDA

namespace {

constexpr int kMaxDevices = 64;

void* scratch_allocate(int device, size_t nbytes) { return cuda_allocator(device).allocate(nbytes); }
void scratch_deallocate(int device, void* ptr, size_t nbytes) { cuda_allocator(device).deallocate(ptr, nbytes); }

CachingAllocator* make_allocator(int device) {
  static const CachingAllocator::Mode mode = cuda_allocator_mode(std::getenv("TAPEFLOW_CUDA_ALLOCATOR"));
  kernels::cuda::install_scratch_allocator({scratch_allocate, scratch_deallocate});
  RawAllocator raw{[device](size_t n) { return kernels::cuda::try_malloc(device, n); },
                   [device](void* p, size_t) { kernels::cuda::free(device, p); }};
  return new CachingAllocator(std::move(raw), mode, fmt::format("CUDA:{}", device));
}

}  // namespace

CachingAllocator& cuda_allocator(int device) {
  TAPEFLOW_CHECK(device >= 0 && device < kMaxDevices, "CUDA device index {} is out of range", device);
  // Never destroyed: tensors may outlive statics, and cudaFree after the driver's teardown fails.
  static std::array<CachingAllocator*, kMaxDevices> allocators{};
  static std::array<std::once_flag, kMaxDevices> created;
  std::call_once(created[static_cast<size_t>(device)],
                 [device] { allocators[static_cast<size_t>(device)] = make_allocator(device); });
  return *allocators[static_cast<size_t>(device)];
}

#endif

}  // namespace tapeflow::memory
