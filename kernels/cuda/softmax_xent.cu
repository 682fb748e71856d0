// CUDA twin of kernels::cpu::softmax_xent (kernels/cpu/softmax.cpp): the fused sparse softmax cross-entropy,
// loss and gradient from one read of the logits. It is bound by memory bandwidth, and the row length decides
// how to keep enough bytes in flight:
//   - up to 32 classes (kShortRowLimit), a thread per row: a block stages 256 rows in shared memory with
//     coalesced 16-byte loads, works on its row there, and writes the gradient back the same way. (A few lanes
//     per row kept ~40 bytes in flight per lane, and made three passes with shuffles between them: 22% of
//     the device's copy bandwidth at 10 classes.)
//   - up to 1024 classes, a multiple of 4 and 16-byte aligned, a warp per row holding the row in registers:
//     each element is read once and written once.
//   - anything else, a group of lanes, a warp or a block per row (launch_rows), re-reading the row from cache.
// Every form gives a row whose label is outside [0, n) a NaN loss and a zero gradient (so that the weights
// survive until the host hears of it), and reports it to the device's bad-input slot.
#include <cstdint>
#include <type_traits>

#include "kernels/cuda/bad_input.cuh"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/softmax_row.cuh"
#include "kernels/softmax.h"

namespace tapeflow::kernels::cuda {

namespace {

constexpr int kShortRowLimit = 32;
constexpr int kRowsPerTile = kThreads;        // a thread per row
constexpr int kRegisterRowLimit = 32 * 4 * 8;  // a warp of lanes holding eight float4s each

__device__ __forceinline__ void report_bad_label(BadInputSink bad, int64_t row, int64_t label, int64_t n, float* loss) {
  report_bad_input(bad, BadInput::kLabel, row, label, n);
  loss[row] = NAN;
}

// Where element i of a tile of rows of n floats lives in shared memory: at row * stride + column. An odd
// stride puts column k of a warp's 32 rows in 32 different banks. i < kRowsPerTile * kShortRowLimit = 2^13, so
// a float reciprocal gives the exact row: (i + 0.5) / n is at least 0.5 / n from an integer, far more than
// the product's rounding error.
struct TileLayout {
  int n, stride;
  float inverse_n;
  __device__ int slot(int i) const {
    const int row = __float2int_rz((static_cast<float>(i) + 0.5f) * inverse_n);
    return row * stride + (i - row * n);
  }
};

// Copies `count` floats between global memory and the tile, into the tile when `global` is const. `vec`
// promises a 16-byte aligned `global`, which then moves as float4s.
template <class GlobalFloat>
__device__ void copy_tile(GlobalFloat* global, float* tile, int count, TileLayout layout, bool vec) {
  constexpr bool kToTile = std::is_const_v<GlobalFloat>;
  int scalars_from = 0;
  if (vec) {
    const int packs = count / 4;
    for (int p = threadIdx.x; p < packs; p += blockDim.x) {
      const int s0 = layout.slot(4 * p), s1 = layout.slot(4 * p + 1), s2 = layout.slot(4 * p + 2),
                s3 = layout.slot(4 * p + 3);
      if constexpr (kToTile) {
        const float4 v = reinterpret_cast<const float4*>(global)[p];
        tile[s0] = v.x;
        tile[s1] = v.y;
        tile[s2] = v.z;
        tile[s3] = v.w;
      } else {
        reinterpret_cast<float4*>(global)[p] = make_float4(tile[s0], tile[s1], tile[s2], tile[s3]);
      }
    }
    scalars_from = 4 * packs;
  }
  for (int i = scalars_from + static_cast<int>(threadIdx.x); i < count; i += blockDim.x) {
    if constexpr (kToTile) tile[layout.slot(i)] = global[i];
    else global[i] = tile[layout.slot(i)];
  }
}

// Rows of n <= kMaxN classes, a thread per row, 256 rows per tile. The gradient overwrites the logits in the
// tile. `vec_logits` / `vec_grad`: those pointers are 16-byte aligned (so is every tile: 256 rows in).
template <int kMaxN>
__global__ void __launch_bounds__(kRowsPerTile) softmax_xent_short_rows(const float* logits, const int64_t* labels,
                                                                         float* loss, float* grad, int64_t rows, int n,
                                                                         bool vec_logits, bool vec_grad,
                                                                         BadInputSink bad) {
  __shared__ float tile[kRowsPerTile * (kMaxN + 1)];
  const TileLayout layout{n, n | 1, 1.f / static_cast<float>(n)};
  float* row = tile + threadIdx.x * layout.stride;
  for (int64_t first = int64_t(blockIdx.x) * kRowsPerTile; first < rows; first += int64_t(gridDim.x) * kRowsPerTile) {
    const int count = static_cast<int>(rows - first < kRowsPerTile ? rows - first : kRowsPerTile) * n;
    copy_tile(logits + first * n, tile, count, layout, vec_logits);
    __syncthreads();
    const int64_t r = first + threadIdx.x;
    const int64_t label = r < rows ? labels[r] : 0;
    if (r < rows && (label < 0 || label >= n)) {
      report_bad_label(bad, r, label, n, loss);
      for (int k = 0; k < n; ++k) row[k] = 0.f;
    } else if (r < rows) {
      float x[kMaxN];
      float m = -INFINITY, x_label = 0.f;
#pragma unroll
      for (int k = 0; k < kMaxN; ++k)
        if (k < n) {
          x[k] = row[k];
          m = x[k] > m ? x[k] : m;  // as row_max: a NaN is skipped here and shows in the sum
          if (k == label) x_label = x[k];
        }
      float sum = 0.f;
#pragma unroll
      for (int k = 0; k < kMaxN; ++k)
        if (k < n) sum += (x[k] = expf(x[k] - m));
      loss[r] = logf(sum) - (x_label - m);
      const float inv = 1.f / sum;
#pragma unroll
      for (int k = 0; k < kMaxN; ++k)
        if (k < n) row[k] = x[k] * inv - (k == label ? 1.f : 0.f);
    }
    __syncthreads();
    if (grad) copy_tile(grad + first * n, tile, count, layout, vec_grad);
    __syncthreads();  // the next tile overwrites this one
  }
}

// A warp per row of n = 4 * packs classes, packs <= 32 * kPacks, from 16-byte aligned logits and gradient:
// lane l holds the float4s at pack indices l + 32 * p, p < kPacks.
template <int kPacks>
__global__ void softmax_xent_rows_in_registers(const float* logits, const int64_t* labels, float* loss, float* grad,
                                               int64_t rows, int64_t n, BadInputSink bad) {
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int packs = static_cast<int>(n / 4);
  for (int64_t r = WarpPerRow::first_row(); r < rows; r += WarpPerRow::row_stride()) {  // uniform over the warp
    const int64_t label = labels[r];
    float4* g = grad ? reinterpret_cast<float4*>(grad + r * n) : nullptr;
    if (label < 0 || label >= n) {
      if (lane == 0) report_bad_label(bad, r, label, n, loss);
      if (g)
        for (int p = lane; p < packs; p += 32) g[p] = make_float4(0.f, 0.f, 0.f, 0.f);
      continue;
    }
    const float4* x = reinterpret_cast<const float4*>(logits + r * n);
    float v[kPacks][4];
#pragma unroll
    for (int p = 0; p < kPacks; ++p) {
      const int at = lane + 32 * p;
      const float4 f = at < packs ? x[at] : make_float4(-INFINITY, -INFINITY, -INFINITY, -INFINITY);
      v[p][0] = f.x;
      v[p][1] = f.y;
      v[p][2] = f.z;
      v[p][3] = f.w;
    }
    float m = -INFINITY, x_label = 0.f;
#pragma unroll
    for (int p = 0; p < kPacks; ++p)
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        m = v[p][j] > m ? v[p][j] : m;
        if (4 * (lane + 32 * p) + j == label) x_label = v[p][j];
      }
    m = warp_reduce(m, MaxOp{});
    x_label = __shfl_sync(0xffffffffu, x_label, static_cast<int>(label / 4 % 32));
    float sum = 0.f;
#pragma unroll
    for (int p = 0; p < kPacks; ++p)
#pragma unroll
      for (int j = 0; j < 4; ++j) sum += (v[p][j] = lane + 32 * p < packs ? expf(v[p][j] - m) : 0.f);
    sum = warp_reduce(sum, AddOp{});
    if (lane == 0) loss[r] = logf(sum) - (x_label - m);
    if (!g) continue;
    const float inv = 1.f / sum;
#pragma unroll
    for (int p = 0; p < kPacks; ++p) {
      const int at = lane + 32 * p;
      if (at >= packs) continue;
      float out[4];
#pragma unroll
      for (int j = 0; j < 4; ++j) out[j] = v[p][j] * inv - (4 * at + j == label ? 1.f : 0.f);
      g[at] = make_float4(out[0], out[1], out[2], out[3]);
    }
  }
}

// Any row length, each row re-read from cache for the max, the sum and the write.
template <class G>
__global__ void softmax_xent_rows(const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows,
                                  int64_t n, BadInputSink bad) {
  for (int64_t r = G::first_row(); r < rows; r += G::row_stride()) {
    const float* x = logits + r * n;
    float* g = grad ? grad + r * n : nullptr;
    const int64_t label = labels[r];
    if (label < 0 || label >= n) {  // uniform over the group: all its threads read the same label
      if (G::rank() == 0) report_bad_label(bad, r, label, n, loss);
      if (g)
        for (int64_t k = G::rank(); k < n; k += G::size()) g[k] = 0.f;
      continue;
    }
    const float m = row_max<G>(x, n);
    const float sum = row_sum_exp<G>(x, n, m);
    if (G::rank() == 0) loss[r] = logf(sum) - (x[label] - m);
    if (g) {
      const float inv = 1.f / sum;
      for (int64_t k = G::rank(); k < n; k += G::size()) g[k] = expf(x[k] - m) * inv - (k == label ? 1.f : 0.f);
    }
  }
}

}  // namespace

void softmax_xent(int device, const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows,
                  int64_t n) {
  if (rows == 0) return;
  const BadInputSink bad = bad_input_sink(device);
  const cudaStream_t stream = stream_for(device);
  const bool vec_logits = aligned_to(logits, 16), vec_grad = grad != nullptr && aligned_to(grad, 16);
  if (n >= 1 && n <= kShortRowLimit) {
    const auto with = [&](auto kernel) {
      const unsigned grid = resident_grid_for(device, kernel, kRowsPerTile, rows, kRowsPerTile);
      kernel<<<grid, kRowsPerTile, 0, stream>>>(logits, labels, loss, grad, rows, static_cast<int>(n), vec_logits,
                                                vec_grad, bad);
    };
    if (n <= 4) with(softmax_xent_short_rows<4>);
    else if (n <= 8) with(softmax_xent_short_rows<8>);
    else if (n <= 16) with(softmax_xent_short_rows<16>);
    else with(softmax_xent_short_rows<32>);
  } else if (n <= kRegisterRowLimit && n % 4 == 0 && vec_logits && (grad == nullptr || vec_grad)) {
    const auto with = [&](auto kernel) {
      const unsigned grid = resident_grid_for(device, kernel, WarpPerRow::kThreads, rows, WarpPerRow::kRowsPerBlock);
      kernel<<<grid, WarpPerRow::kThreads, 0, stream>>>(logits, labels, loss, grad, rows, n, bad);
    };
    const int64_t packs_per_lane = (n / 4 + 31) / 32;
    if (packs_per_lane <= 1) with(softmax_xent_rows_in_registers<1>);
    else if (packs_per_lane <= 2) with(softmax_xent_rows_in_registers<2>);
    else if (packs_per_lane <= 4) with(softmax_xent_rows_in_registers<4>);
    else with(softmax_xent_rows_in_registers<8>);
  } else {
    return launch_rows(device, rows, n, [&](auto group, unsigned grid, int threads, cudaStream_t s) {
      softmax_xent_rows<decltype(group)><<<grid, threads, 0, s>>>(logits, labels, loss, grad, rows, n, bad);
    });
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
