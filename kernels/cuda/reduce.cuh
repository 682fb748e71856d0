#pragma once
// Warp and block reductions, and the two ways a row-wise kernel spreads rows over threads: a warp
// per row (short rows) or a block per row (long rows). Row kernels are written once against a Group.
#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/cuda/launch.cuh"

namespace tapeflow::kernels::cuda {

struct AddOp {
  template <class T> __device__ T operator()(T a, T b) const { return a + b; }
  template <class T> __device__ static T identity() { return T(0); }
};

// As the CPU kernels: NaN wins once seen (b > a is false for a NaN b, so it is tested apart).
struct MaxOp {
  __device__ float operator()(float a, float b) const { return b > a || b != b ? b : a; }
  template <class T> __device__ static T identity() { return -INFINITY; }
};

// Every lane gets the reduction of the 32 lanes' values.
template <class T, class Op>
__device__ __forceinline__ T warp_reduce(T v, Op op) {
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Every thread of the block gets the reduction of all the block's values. blockDim.x is a multiple
// of 32; every thread of the block must call it (it synchronizes).
template <class T, class Op>
__device__ T block_reduce(T v, Op op) {
  __shared__ T partial[32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = warp_reduce(v, op);
  __syncthreads();  // a previous call's readers are done with `partial`
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  return warp_reduce(lane < warps ? partial[lane] : Op::template identity<T>(), op);
}

// One warp per row: 8 rows per 256-thread block. rank/size: this thread's place in its row's group.
struct WarpPerRow {
  static constexpr int kRowsPerBlock = 8;
  static constexpr int kThreads = 32 * kRowsPerBlock;
  __device__ static int rank() { return threadIdx.x % 32; }
  __device__ static int size() { return 32; }
  __device__ static int64_t first_row() { return (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32; }
  __device__ static int64_t row_stride() { return int64_t(gridDim.x) * kRowsPerBlock; }
  template <class T, class Op> __device__ static T reduce(T v, Op op) { return warp_reduce(v, op); }
};

// One 256-thread block per row.
struct BlockPerRow {
  static constexpr int kRowsPerBlock = 1;
  static constexpr int kThreads = 256;
  __device__ static int rank() { return threadIdx.x; }
  __device__ static int size() { return blockDim.x; }
  __device__ static int64_t first_row() { return blockIdx.x; }
  __device__ static int64_t row_stride() { return gridDim.x; }
  template <class T, class Op> __device__ static T reduce(T v, Op op) { return block_reduce(v, op); }
};

// Rows up to this long go a warp each; longer rows a block each.
inline constexpr int64_t kWarpRowLimit = 1024;

// Calls launch(group, grid, threads, stream) with the group that suits rows of n (WarpPerRow{} or
// BlockPerRow{}) and a grid for `rows` rows; the caller launches its kernel<decltype(group)>.
template <class Launch>
void launch_rows(int device, int64_t rows, int64_t n, Launch launch) {
  const cudaStream_t stream = stream_for(device);
  if (n <= kWarpRowLimit) {
    launch(WarpPerRow{}, grid_for(device, rows, WarpPerRow::kRowsPerBlock), WarpPerRow::kThreads, stream);
  } else {
    launch(BlockPerRow{}, grid_for(device, rows, BlockPerRow::kRowsPerBlock), BlockPerRow::kThreads, stream);
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
