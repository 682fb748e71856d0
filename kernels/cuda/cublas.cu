#include "kernels/cuda/cublas.cuh"

#include <array>
#include <memory>
#include <mutex>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/dynamic_library.cuh"
#include "kernels/cuda/stream.cuh"
#include "kernels/cuda_runtime.h"

namespace tapeflow::kernels::cuda {

namespace {

constexpr int kMaxDevices = 64;
constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;  // NVIDIA's recommendation for Hopper

struct CublasState {
  cublasHandle_t handle = nullptr;
  std::unique_ptr<Scratch> workspace;
};

}  // namespace

const CublasEntryPoints& cublas() {
  static const CublasEntryPoints entry_points = [] {
    const DynamicLibrary library("cuBLAS", "libcublas.so." TAPEFLOW_SONAME_VERSION(CUBLAS_VER_MAJOR));
    CublasEntryPoints e;
#define TAPEFLOW_CUBLAS_RESOLVE(member, symbol) library.resolve(e.member, #symbol);
    TAPEFLOW_CUBLAS_ENTRY_POINTS(TAPEFLOW_CUBLAS_RESOLVE)
#undef TAPEFLOW_CUBLAS_RESOLVE
    library.resolve(e.GemmStridedBatchedEx, "cublasGemmStridedBatchedEx");
    return e;
  }();
  return entry_points;
}

cublasHandle_t cublas_handle(int device) {
  // Never destroyed: cublasDestroy after the driver's teardown at exit fails.
  static std::array<CublasState*, kMaxDevices> states{};
  static std::array<std::once_flag, kMaxDevices> created;
  std::call_once(created.at(static_cast<size_t>(device)), [device] {
    TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
    auto* state = new CublasState;
    TAPEFLOW_CUBLAS_CHECK(cublas().Create(&state->handle));
    TAPEFLOW_CUBLAS_CHECK(cublas().SetStream(state->handle, compute_stream(device)));
    state->workspace = std::make_unique<Scratch>(device, kCublasWorkspaceBytes);
    TAPEFLOW_CUBLAS_CHECK(cublas().SetWorkspace(state->handle, state->workspace->data(), kCublasWorkspaceBytes));
    states[static_cast<size_t>(device)] = state;
  });
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  return states[static_cast<size_t>(device)]->handle;
}

}  // namespace tapeflow::kernels::cuda
