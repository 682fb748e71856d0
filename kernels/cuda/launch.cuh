#pragma once
// What every hand-written kernel launch shares: the device's stream, grid sizes for grid-stride
// loops, thread indices, and 16-byte packs for vectorized loads and stores.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/stream.cuh"

namespace tapeflow::kernels::cuda {

inline constexpr int kThreads = 256;  // threads per block unless a kernel says otherwise

// Makes `device` current (a launch goes to the current device) and returns its compute stream.
cudaStream_t stream_for(int device);

// Blocks for a grid-stride loop over `items` work items, `items_per_block` of them per block per
// step: as many as the work needs, at most enough to fill every SM of `device` a few times over.
unsigned grid_for(int device, int64_t items, int64_t items_per_block = kThreads);
// The most blocks grid_for ever gives: enough to fill every SM of `device` a few times over.
int64_t blocks_to_fill(int device);
// As grid_for, for `kernel` launched with `threads` threads a block and `smem` bytes of dynamic shared
// memory: at most as many blocks as are resident on the device at once. grid_for assumes 8 blocks of 256
// threads per SM; a kernel of 48 registers a thread fits 5, and a grid-stride loop's last blocks would then
// run in a second wave with few blocks beside them to hide their memory latency.
unsigned resident_grid_for(int device, const void* kernel, int threads, int64_t items, int64_t items_per_block,
                           size_t smem = 0);
template <class... Params>
unsigned resident_grid_for(int device, void (*kernel)(Params...), int threads, int64_t items,
                           int64_t items_per_block, size_t smem = 0) {
  return resident_grid_for(device, reinterpret_cast<const void*>(kernel), threads, items, items_per_block, smem);
}

// N elements of T moved as one aligned load or store (16 bytes when N * sizeof(T) == 16).
template <class T, int N>
struct alignas(sizeof(T) * N) Pack {
  T v[N];
};

inline bool aligned_to(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

__device__ __forceinline__ int64_t global_thread() { return int64_t(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ __forceinline__ int64_t grid_threads() { return int64_t(gridDim.x) * blockDim.x; }

}  // namespace tapeflow::kernels::cuda
