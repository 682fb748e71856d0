#pragma once
// Process-wide settings: threads, memory statistics, pinned host memory, CUDA math settings.
#include <cstddef>

#include "tapeflow/device.h"
#include "tapeflow/tensor.h"

namespace tapeflow {

// Threads for OpenMP loops and OpenBLAS; 0 means the library's default (all cores).
void set_num_threads(int threads);
int num_threads();

// Both the CPU and each CUDA device report through these. Sizes count whole allocator blocks.
struct MemoryStats {
  size_t current_bytes = 0;   // bytes in live tensors (and in-flight library scratch on CUDA)
  size_t peak_bytes = 0;      // highest current_bytes since the last reset
  size_t reserved_bytes = 0;  // bytes held by the allocator, cached blocks included
};
MemoryStats memory_stats(Device device = Device::cpu());
void reset_peak_memory(Device device = Device::cpu());
// Returns cached but unused blocks to the system (on CUDA: cudaFree, which waits for the device).
void empty_cache(Device device = Device::cpu());

// A CPU tensor in page-locked (pinned) host memory, for input batches: `.to(Device::cuda())` from it
// is queued on the device's stream without waiting, and the block is reused only after that copy has
// run. Without a GPU (or a CUDA build) it is an ordinary CPU tensor. Numeric dtypes only.
Tensor pinned_empty(const Shape& shape, DType dtype = DType::kFloat32);

// TF32 tensor-core math for float32 matmul and conv2d on CUDA (Ampere and later): about 10 mantissa bits
// per product instead of 23, several times the throughput. Off by default, so CUDA results match the
// CPU's to float32 precision; as TF's tf.config.experimental.enable_tensor_float32_execution.
void enable_tensor_float32_execution(bool enabled);
bool tensor_float32_execution_enabled();

// Run-to-run reproducible results on CUDA, as TF's tf.config.experimental.enable_op_determinism: conv2d
// uses only the cuDNN algorithms cuDNN marks deterministic (often not the fastest), and gather's gradient
// sums repeated indices in index order, bit for bit as the CPU, instead of atomically; that reads every index
// once per gradient element (vocabulary x width x indices), fine for small vocabularies, slow for large ones.
// Results then repeat on the same GPU model (some reductions split their work by the number of SMs). Off by
// default, as in TF and PyTorch. The CPU kernels are deterministic for a given thread count either way.
// This and the TF32 setting are read when ops run: a step a tapeflow::Function has captured keeps the
// settings of its capture.
void enable_op_determinism(bool enabled = true);
bool op_determinism_enabled();

// Which GEMM float32 matmul uses on CUDA: cuBLAS (the default) or tapeflow's own tiled SGEMM
// (kernels/cuda/sgemm.cu). The environment variable TAPEFLOW_CUDA_MATMUL=cublas|tiled sets the initial
// choice. The tiled kernel ignores the TF32 setting (it always computes in float32).
enum class CudaMatmul { kCublas, kTiled };
void set_cuda_matmul(CudaMatmul gemm);
CudaMatmul cuda_matmul();

// How conv2d on CUDA picks cuDNN's algorithms: timing every candidate once per shape and keeping the fastest
// (the default, as TF's autotuning and torch.backends.cudnn.benchmark = True), or cuDNN's heuristics, which skip
// the timing's first-call cost and its workspace (the notes' CNN: 362 against 134 MB at peak on an H200, and
// 1.35x slower steps). TAPEFLOW_CUDNN_BENCHMARK=0 or 1 sets the initial value. Under op determinism only
// deterministic algorithms are candidates either way.
void set_cudnn_benchmark(bool enabled);
bool cudnn_benchmark();

}  // namespace tapeflow
