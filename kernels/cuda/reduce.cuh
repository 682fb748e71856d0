#pragma once
// Warp and block reductions, and the ways a row-wise kernel spreads rows over threads: a few lanes of a
// warp per row (very short rows), a warp per row (short rows) or a block per row (long rows). Row kernels
// are written once against a Group.
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

// kLanes adjacent lanes of a warp per row (a power of two up to 32): 256 / kLanes rows per 256-thread
// block. rank/size: this thread's place in its row's group.
template <int kLanes>
struct LanesPerRow {
  static_assert(kLanes >= 1 && kLanes <= 32 && (kLanes & (kLanes - 1)) == 0, "kLanes: a power of two up to 32");
  static constexpr int kThreads = 256;
  static constexpr int kRowsPerBlock = kThreads / kLanes;
  __device__ static int rank() { return threadIdx.x % kLanes; }
  __device__ static int size() { return kLanes; }
  __device__ static int64_t first_row() { return (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / kLanes; }
  __device__ static int64_t row_stride() { return int64_t(gridDim.x) * kRowsPerBlock; }
  // Only this row's lanes take part: the warp's other rows may have left their loops already.
  template <class T, class Op> __device__ static T reduce(T v, Op op) {
    if constexpr (kLanes == 32) {
      return warp_reduce(v, op);
    } else {
      const unsigned mask = ((1u << kLanes) - 1u) << (threadIdx.x % 32 / kLanes * kLanes);
#pragma unroll
      for (int offset = kLanes / 2; offset > 0; offset /= 2) v = op(v, __shfl_xor_sync(mask, v, offset));
      return v;
    }
  }
};
using WarpPerRow = LanesPerRow<32>;

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

// Calls launch(group, grid, threads, stream) with the group that suits rows of n and a grid for `rows`
// rows; the caller launches its kernel<decltype(group)>. Rows of up to 32 get about two elements per lane
// (a whole warp on 10 classes would leave 22 lanes idle in every pass), longer ones a warp, past
// kWarpRowLimit a block.
template <class Launch>
void launch_rows(int device, int64_t rows, int64_t n, Launch launch) {
  const cudaStream_t stream = stream_for(device);
  const auto with = [&](auto group) {
    using Group = decltype(group);
    launch(group, grid_for(device, rows, Group::kRowsPerBlock), Group::kThreads, stream);
  };
  if (n <= 2) with(LanesPerRow<1>{});
  else if (n <= 4) with(LanesPerRow<2>{});
  else if (n <= 8) with(LanesPerRow<4>{});
  else if (n <= 16) with(LanesPerRow<8>{});
  else if (n <= 32) with(LanesPerRow<16>{});
  else if (n <= kWarpRowLimit) with(WarpPerRow{});
  else with(BlockPerRow{});
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
