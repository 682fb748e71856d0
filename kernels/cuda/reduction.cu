// CUDA twins of kernels/cpu/reduction.cpp. x is [outer, n, inner], y is [outer, inner].
// inner == 1 (rows): the group launch_rows picks per row (a few lanes, a warp, or a block past
// kWarpRowLimit), with shuffle reductions.
// inner > 1 (columns): a 32 x 8 block reduces 32 adjacent columns, reads coalesced along inner,
// its 8 thread rows splitting n and meeting in shared memory; with few outputs, n is also split over
// blocks and a second pass combines their partials. Sums accumulate in double, as the CPU.
#include <algorithm>
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda_runtime.h"
#include "kernels/reduction.h"

namespace tapeflow::kernels::cuda {

namespace {

// A reduction: its accumulator type, how an element (or a partial result) enters it, how two combine.
struct Sum {
  using Acc = double;
  using Combine = AddOp;
  template <class T> __device__ static Acc load(T x) { return x; }
};
struct Max {
  using Acc = float;
  using Combine = MaxOp;
  template <class T> __device__ static Acc load(T x) { return x; }
};

template <class R, class G>
__global__ void reduce_rows(const float* x, float* y, int64_t rows, int64_t n) {
  using Acc = typename R::Acc;
  const typename R::Combine combine;
  for (int64_t r = G::first_row(); r < rows; r += G::row_stride()) {  // uniform over the group
    const float* row = x + r * n;
    Acc acc = R::Combine::template identity<Acc>();
    for (int64_t k = G::rank(); k < n; k += G::size()) acc = combine(acc, R::load(row[k]));
    acc = G::reduce(acc, combine);
    if (G::rank() == 0) y[r] = static_cast<float>(acc);
  }
}

constexpr int kColumnsPerBlock = 32, kSplitsPerBlock = 8;

// Block (x, ., z) reduces 32 adjacent columns over the z-th chunk of `chunk` rows of n, and writes
// y[o][z][column]: the result itself when there is one chunk, else a partial for a second pass.
template <class R, class In, class Out>
__global__ void reduce_columns(const In* x, Out* y, int64_t outer, int64_t n, int64_t inner, int64_t chunk) {
  using Acc = typename R::Acc;
  const typename R::Combine combine;
  __shared__ Acc partial[kSplitsPerBlock][kColumnsPerBlock + 1];
  const int64_t i = int64_t(blockIdx.x) * kColumnsPerBlock + threadIdx.x;
  const int64_t begin = int64_t(blockIdx.z) * chunk, end = begin + chunk < n ? begin + chunk : n;
  for (int64_t o = blockIdx.y; o < outer; o += gridDim.y) {  // uniform over the block
    Acc acc = R::Combine::template identity<Acc>();
    if (i < inner)
      for (int64_t k = begin + threadIdx.y; k < end; k += kSplitsPerBlock)
        acc = combine(acc, R::load(x[(o * n + k) * inner + i]));
    partial[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && i < inner) {
      for (int s = 1; s < kSplitsPerBlock; ++s) acc = combine(acc, partial[s][threadIdx.x]);
      y[(o * gridDim.z + blockIdx.z) * inner + i] = static_cast<Out>(acc);
    }
    __syncthreads();  // partial is rewritten by the next o
  }
}

// Rows of n each chunk of a column reduction gets at least: below that, a second pass costs more than
// the parallelism it buys.
constexpr int64_t kMinChunk = 64;

template <class R>
void reduce(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  if (outer * inner == 0) return;
  if (inner == 1) {
    return launch_rows(device, outer, n, [&](auto group, unsigned grid, int threads, cudaStream_t stream) {
      reduce_rows<R, decltype(group)><<<grid, threads, 0, stream>>>(x, y, outer, n);
    });
  }
  // Few outputs over a long n (a bias's gradient: [1, rows, channels]) would leave most SMs idle: n is
  // then cut into chunks, reduced apart into partials, which a second pass combines (in a fixed order,
  // so the result does not vary from run to run).
  const cudaStream_t stream = stream_for(device);
  const dim3 block(kColumnsPerBlock, kSplitsPerBlock);
  const int64_t column_blocks = (inner + kColumnsPerBlock - 1) / kColumnsPerBlock;
  const unsigned outer_blocks = static_cast<unsigned>(std::min<int64_t>(outer, 65535));
  const int64_t most_chunks = std::clamp<int64_t>((n + kMinChunk - 1) / kMinChunk, 1, 65535);  // n may be 0
  const int64_t chunks = std::clamp<int64_t>(blocks_to_fill(device) / (column_blocks * outer_blocks), 1, most_chunks);
  const dim3 grid(static_cast<unsigned>(column_blocks), outer_blocks, static_cast<unsigned>(chunks));
  if (chunks == 1) {
    reduce_columns<R, float, float><<<grid, block, 0, stream>>>(x, y, outer, n, inner, n);
    TAPEFLOW_CUDA_CHECK_LAUNCH();
    return;
  }
  using Acc = typename R::Acc;
  const Scratch partials(device, sizeof(Acc) * size_t(outer * chunks * inner));  // [outer, chunks, inner]
  Acc* partial = static_cast<Acc*>(partials.data());
  reduce_columns<R, float, Acc><<<grid, block, 0, stream>>>(x, partial, outer, n, inner, (n + chunks - 1) / chunks);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
  const dim3 combine_grid(static_cast<unsigned>(column_blocks), outer_blocks, 1);
  reduce_columns<R, Acc, float><<<combine_grid, block, 0, stream>>>(partial, y, outer, chunks, inner, chunks);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

// --- argmax: the first maximum, as the CPU's sequential strict > scan ---

// A candidate (value, index); index < 0 is "none yet". NaN never becomes a candidate: the CPU scan
// starts from x[0] and no NaN is ever > the best, so NaN only wins when it is x[0] (fixed up below).
struct Best {
  float value;
  int64_t index;
};

__device__ __forceinline__ Best better(Best a, Best b) {
  if (b.index < 0) return a;
  if (a.index < 0) return b;
  return b.value > a.value || (b.value == a.value && b.index < a.index) ? b : a;
}

// Rows [outer, n] (inner == 1): one warp per row.
__global__ void argmax_rows(const float* x, int64_t* y, int64_t rows, int64_t n) {
  for (int64_t r = WarpPerRow::first_row(); r < rows; r += WarpPerRow::row_stride()) {
    const float* row = x + r * n;
    Best best{0.f, -1};
    for (int64_t k = WarpPerRow::rank(); k < n; k += 32)
      if (row[k] == row[k]) best = better(best, Best{row[k], k});
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) {
      const Best other{__shfl_xor_sync(0xffffffffu, best.value, offset),
                       __shfl_xor_sync(0xffffffffu, best.index, offset)};
      best = better(best, other);
    }
    if (WarpPerRow::rank() == 0) y[r] = best.index < 0 || row[0] != row[0] ? 0 : best.index;
  }
}

// inner > 1: a thread per output column scans n in order, exactly as the CPU does.
__global__ void argmax_columns(const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t j = global_thread(); j < outer * inner; j += grid_threads()) {
    const float* column = x + (j / inner) * n * inner + j % inner;
    float best = column[0];
    int64_t index = 0;
    for (int64_t k = 1; k < n; ++k)
      if (column[k * inner] > best) {
        best = column[k * inner];
        index = k;
      }
    y[j] = index;
  }
}

}  // namespace

void reduce_sum(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  reduce<Sum>(device, x, y, outer, n, inner);
}

void reduce_max(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  reduce<Max>(device, x, y, outer, n, inner);
}

void argmax(int device, const float* x, int64_t* y, int64_t outer, int64_t n, int64_t inner) {
  if (outer * inner == 0) return;
  const cudaStream_t stream = stream_for(device);
  if (inner == 1) {
    argmax_rows<<<grid_for(device, outer, WarpPerRow::kRowsPerBlock), WarpPerRow::kThreads, 0, stream>>>(x, y, outer, n);
  } else {
    argmax_columns<<<grid_for(device, outer * inner), kThreads, 0, stream>>>(x, y, outer, n, inner);
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
