#include "tapeflow/runtime.h"

#include <cblas.h>
#include <omp.h>

#include <atomic>
#include <cstdlib>

#include "engine/check.h"
#include "engine/memory/cpu_allocator.h"
#include "engine/memory/cuda_allocator.h"
#include "engine/memory/pinned_host_allocator.h"

namespace tapeflow {

void set_num_threads(int threads) {
  TAPEFLOW_CHECK(threads >= 0, "set_num_threads: expected a count >= 0 (0 = all cores), found {}", threads);
  const int n = threads == 0 ? omp_get_num_procs() : threads;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

// --- memory ---

namespace {

// Runs f on the allocator of `device`: the CPU's, or the CUDA device's caching allocator.
template <class F> auto on_allocator(const char* what, Device device, F f) {
  if (device.is_cpu()) return f(memory::CpuAllocator::instance());
#ifdef TAPEFLOW_WITH_CUDA
  TAPEFLOW_CHECK(device.index >= 0 && device.index < cuda_device_count(),
                 "{}: device {} is not available: this machine has {} CUDA device(s)", what, device.to_string(),
                 cuda_device_count());
  return f(memory::cuda_allocator(device.index));
#else
  throw Error(fmt::format("{}: device {} is not available: this build of tapeflow has no CUDA backend", what,
                          device.to_string()));
#endif
}

}  // namespace

MemoryStats memory_stats(Device device) {
  return on_allocator("memory_stats", device, [](auto& allocator) { return allocator.stats(); });
}

void reset_peak_memory(Device device) {
  on_allocator("reset_peak_memory", device, [](auto& allocator) { allocator.reset_peak(); });
}

void empty_cache(Device device) {
  on_allocator("empty_cache", device, [](auto& allocator) { allocator.empty_cache(); });
}

Tensor pinned_empty(const Shape& shape, DType dtype) {
  TAPEFLOW_CHECK(dtype != DType::kString, "pinned_empty: expected a numeric dtype, found {}", dtype_name(dtype));
#ifdef TAPEFLOW_WITH_CUDA
  if (cuda_is_available()) {
    const size_t nbytes = std::max<size_t>(1, static_cast<size_t>(shape.num_elements()) * dtype_size(dtype));
    void* ptr = memory::PinnedHostAllocator::instance().allocate(nbytes);
    return Tensor::from_blob(ptr, shape, dtype, Device::cpu(),
                             [nbytes](void* p) { memory::PinnedHostAllocator::instance().deallocate(p, nbytes); });
  }
#endif
  return Tensor::empty(shape, dtype, Device::cpu());
}

// --- CUDA math settings ---

namespace {

CudaMatmul matmul_from_environment() {
  const char* value = std::getenv("TAPEFLOW_CUDA_MATMUL");
  const std::string_view choice = value == nullptr ? "" : value;
  if (choice.empty() || choice == "cublas") return CudaMatmul::kCublas;
  if (choice == "tiled") return CudaMatmul::kTiled;
  throw Error(fmt::format("TAPEFLOW_CUDA_MATMUL: expected \"cublas\" or \"tiled\", found \"{}\"", choice));
}

std::atomic<bool> allow_tf32{false};
std::atomic<bool> deterministic_ops{false};

std::atomic<bool>& cudnn_benchmark_flag() {
  static std::atomic<bool> flag{[] {
    const char* value = std::getenv("TAPEFLOW_CUDNN_BENCHMARK");
    const std::string_view choice = value == nullptr ? "" : value;
    if (choice == "0") return false;
    if (choice.empty() || choice == "1") return true;
    throw Error(fmt::format("TAPEFLOW_CUDNN_BENCHMARK: expected 0 or 1, found \"{}\"", choice));
  }()};
  return flag;
}

std::atomic<CudaMatmul>& matmul_choice() {
  static std::atomic<CudaMatmul> choice{matmul_from_environment()};
  return choice;
}

}  // namespace

void enable_tensor_float32_execution(bool enabled) { allow_tf32.store(enabled); }
bool tensor_float32_execution_enabled() { return allow_tf32.load(); }

void enable_op_determinism(bool enabled) { deterministic_ops.store(enabled); }
bool op_determinism_enabled() { return deterministic_ops.load(); }

void set_cuda_matmul(CudaMatmul gemm) { matmul_choice().store(gemm); }
CudaMatmul cuda_matmul() { return matmul_choice().load(); }

void set_cudnn_benchmark(bool enabled) { cudnn_benchmark_flag().store(enabled); }
bool cudnn_benchmark() { return cudnn_benchmark_flag().load(); }

}  // namespace tapeflow
