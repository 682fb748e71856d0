// tapeflow's own SGEMM: C[M, N] = op(A)[M, K] x op(B)[K, N], row-major, one problem per blockIdx.z.
// CPU twin: kernels::cpu::matmul (kernels/cpu/matmul.cpp); cuBLAS twin: kernels/cuda/matmul.cu.
//
// Each 256-thread block computes a 128 x 128 tile of C, walking K in slices of 16. The slice of op(A)
// (128 x 16) and of op(B) (16 x 128) is staged in shared memory k-major (as[k][m], bs[k][n]), so that for
// one k a thread reads the 8 A values and 8 B values it needs as two float4 each. Every thread keeps
// an 8 x 8 block of C in registers: rows ty*4 + {0..3} and 64 + ty*4 + {0..3} of the tile, columns
// likewise with tx. Splitting each thread's 8 rows (columns) into two groups 64 apart makes a warp's
// float4 reads of one k cover 64 consecutive floats: no shared-memory bank conflicts.
//
// While a slice is multiplied, the next one is loaded from global memory into registers (two float4 of
// each operand per thread); it goes into the other half of the double-buffered shared memory, so one
// __syncthreads per slice suffices. Global loads are float4 where a row is 16-byte aligned and the four
// values are in range, scalar otherwise; values outside the matrices load as 0 and outputs outside C are
// not stored (edge tiles).
//
// Slices of 16 rather than 8 halve the barriers and loop overhead per multiply-add: on an H200 at 4096^3,
// 41.3 against 40.0 TFLOP/s (bench/results/NOTES.md, session 11), although ptxas then spills 80 bytes.
#include <algorithm>
#include <string>

#include "kernels/cuda/launch.cuh"
#include "kernels/matmul.h"

namespace tapeflow::kernels::cuda {

namespace {

constexpr int kTileM = 128, kTileN = 128, kSliceK = 16;
constexpr int kGemmThreads = 256;        // 16 x 16; each computes 8 x 8 outputs
constexpr int kSliceLoads = kTileM * kSliceK / 4 / kGemmThreads;  // float4 of each operand per thread and slice
// Keeps a float4 row start aligned. The transposed stores of a slice of 16 meet 2-way bank conflicts (rows k and
// k + 8 start on the same bank), as with any padding that keeps rows 16-byte aligned; they are 8 stores a slice.
constexpr int kPad = 4;
constexpr int kMaxGridZ = 65535;

// Four consecutive elements (row, col .. col + 3) of a row-major [rows, cols] matrix with leading
// dimension ld; 0 outside it. `vec` promises ld % 4 == 0 and a 16-byte aligned base (col is a multiple of 4).
__device__ __forceinline__ float4 load4(const float* base, int64_t ld, int rows, int cols, int row, int col,
                                        bool vec) {
  if (row >= rows) return make_float4(0.f, 0.f, 0.f, 0.f);
  const float* p = base + static_cast<int64_t>(row) * ld + col;
  if (vec && col + 3 < cols) return __ldg(reinterpret_cast<const float4*>(p));
  float v[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) v[i] = col + i < cols ? __ldg(p + i) : 0.f;
  return make_float4(v[0], v[1], v[2], v[3]);
}

// Which four values of a slice thread t loads, and where they go in shared memory. A slice of op(X) is
// either contiguous along the tile dimension (store a float4 as is) or along k (store it transposed).
struct SliceLoad {
  // Stored [rows, cols]: this thread loads (row, col .. col + 3).
  int row, col;
  // In the k-major shared slice: element i goes to s[k + i * k_step][t + i * t_step].
  int k, t, k_step, t_step;
};

// Float4 number `slot` (< kTileM * kSliceK / 4) of the slice of op(A) [kTileM x kSliceK] at (m0, k0), or of
// op(B) [kSliceK x kTileN] at (k0, n0): `along_k` says whether the stored rows run along k (A not transposed,
// B transposed) so that the four values are four k's of one tile row.
__device__ __forceinline__ SliceLoad slice_load(int slot, bool along_k, int tile0, int k0) {
  if (along_k) {
    const int t = slot / (kSliceK / 4), k = (slot % (kSliceK / 4)) * 4;  // 128 rows x four float4 of k
    return {tile0 + t, k0 + k, k, t, 1, 0};
  }
  const int k = slot / 32, t = (slot % 32) * 4;  // 16 rows of k x 32 float4 along the tile
  return {k0 + k, tile0 + t, k, t, 0, 1};
}

__device__ __forceinline__ void store_slice(float (*s)[kTileM + kPad], const SliceLoad& l, float4 v) {
  if (l.k_step == 0) {
    *reinterpret_cast<float4*>(&s[l.k][l.t]) = v;
  } else {
    s[l.k + 0][l.t] = v.x;
    s[l.k + 1][l.t] = v.y;
    s[l.k + 2][l.t] = v.z;
    s[l.k + 3][l.t] = v.w;
  }
}

struct GemmArgs {
  int m, n, k;
  const float* a;
  int64_t lda, a_batch_stride;
  const float* b;
  int64_t ldb, b_batch_stride;
  float* c;
  bool vec_a, vec_b, vec_c;
};

template <bool kTransposeA, bool kTransposeB>
__global__ void __launch_bounds__(kGemmThreads, 2) sgemm_kernel(GemmArgs g) {
  static_assert(kTileM == kTileN, "slice_load/store_slice share one tile width");
  __shared__ __align__(16) float as[2][kSliceK][kTileM + kPad];
  __shared__ __align__(16) float bs[2][kSliceK][kTileN + kPad];

  const int thread = threadIdx.x, tx = thread % 16, ty = thread / 16;
  const int m0 = blockIdx.y * kTileM, n0 = blockIdx.x * kTileN;
  const float* a = g.a + blockIdx.z * g.a_batch_stride;
  const float* b = g.b + blockIdx.z * g.b_batch_stride;
  float* c = g.c + static_cast<int64_t>(blockIdx.z) * g.m * g.n;

  // Stored shapes: A is [m, k] or [k, m]; B is [k, n] or [n, k].
  const int a_rows = kTransposeA ? g.k : g.m, a_cols = kTransposeA ? g.m : g.k;
  const int b_rows = kTransposeB ? g.n : g.k, b_cols = kTransposeB ? g.k : g.n;
  // This thread's l-th float4 of each operand's slice at k0.
  auto a_slot = [&](int l, int k0) { return slice_load(thread + l * kGemmThreads, !kTransposeA, m0, k0); };
  auto b_slot = [&](int l, int k0) { return slice_load(thread + l * kGemmThreads, kTransposeB, n0, k0); };
  float4 ra[kSliceLoads], rb[kSliceLoads];
#pragma unroll
  for (int l = 0; l < kSliceLoads; ++l) {
    const SliceLoad la = a_slot(l, 0), lb = b_slot(l, 0);
    ra[l] = load4(a, g.lda, a_rows, a_cols, la.row, la.col, g.vec_a);
    rb[l] = load4(b, g.ldb, b_rows, b_cols, lb.row, lb.col, g.vec_b);
    store_slice(as[0], la, ra[l]);
    store_slice(bs[0], lb, rb[l]);
  }
  __syncthreads();

  float acc[8][8] = {};
  int buf = 0;
  for (int k0 = 0; k0 < g.k; k0 += kSliceK) {
    const bool has_next = k0 + kSliceK < g.k;
    if (has_next) {  // issue the next slice's global loads before the math hides their latency
#pragma unroll
      for (int l = 0; l < kSliceLoads; ++l) {
        const SliceLoad la = a_slot(l, k0 + kSliceK), lb = b_slot(l, k0 + kSliceK);
        ra[l] = load4(a, g.lda, a_rows, a_cols, la.row, la.col, g.vec_a);
        rb[l] = load4(b, g.ldb, b_rows, b_cols, lb.row, lb.col, g.vec_b);
      }
    }
#pragma unroll
    for (int kk = 0; kk < kSliceK; ++kk) {
      const float4 a_lo = *reinterpret_cast<const float4*>(&as[buf][kk][ty * 4]);
      const float4 a_hi = *reinterpret_cast<const float4*>(&as[buf][kk][64 + ty * 4]);
      const float4 b_lo = *reinterpret_cast<const float4*>(&bs[buf][kk][tx * 4]);
      const float4 b_hi = *reinterpret_cast<const float4*>(&bs[buf][kk][64 + tx * 4]);
      const float av[8] = {a_lo.x, a_lo.y, a_lo.z, a_lo.w, a_hi.x, a_hi.y, a_hi.z, a_hi.w};
      const float bv[8] = {b_lo.x, b_lo.y, b_lo.z, b_lo.w, b_hi.x, b_hi.y, b_hi.z, b_hi.w};
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
    if (has_next) {  // the other buffer was last read before the previous iteration's barrier
#pragma unroll
      for (int l = 0; l < kSliceLoads; ++l) {
        store_slice(as[buf ^ 1], a_slot(l, k0 + kSliceK), ra[l]);
        store_slice(bs[buf ^ 1], b_slot(l, k0 + kSliceK), rb[l]);
      }
    }
    __syncthreads();
    buf ^= 1;
  }

  // acc[i][j] is C[m0 + row(i), n0 + col(j)], row(i) = (i / 4) * 64 + ty * 4 + i % 4, col(j) likewise.
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const int row = m0 + (i / 4) * 64 + ty * 4 + i % 4;
    if (row >= g.m) continue;
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const int col = n0 + half * 64 + tx * 4;
      float* out = c + static_cast<int64_t>(row) * g.n + col;
      const float* v = &acc[i][half * 4];
      if (g.vec_c && col + 3 < g.n) {
        *reinterpret_cast<float4*>(out) = make_float4(v[0], v[1], v[2], v[3]);
      } else {
#pragma unroll
        for (int j = 0; j < 4; ++j)
          if (col + j < g.n) out[j] = v[j];
      }
    }
  }
}

int checked_int(int64_t v, const char* what) {
  if (v > INT32_MAX) throw Error(std::string("sgemm_tiled: ") + what + " of " + std::to_string(v) + " exceeds 2^31 - 1");
  return static_cast<int>(v);
}

}  // namespace

void sgemm_tiled(int device, bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                 const float* a, int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c) {
  if (batch == 0 || m == 0 || n == 0) return;
  cudaStream_t stream = stream_for(device);
  if (k == 0) {
    TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(c, 0, sizeof(float) * size_t(batch * m * n), stream));
    return;
  }
  GemmArgs g{checked_int(m, "m"), checked_int(n, "n"), checked_int(k, "k"), a, transpose_a ? m : k, a_batch_stride,
             b, transpose_b ? k : n, b_batch_stride, c, false, false, false};
  g.vec_a = g.lda % 4 == 0 && aligned_to(a, 16) && a_batch_stride % 4 == 0;
  g.vec_b = g.ldb % 4 == 0 && aligned_to(b, 16) && b_batch_stride % 4 == 0;
  g.vec_c = n % 4 == 0 && aligned_to(c, 16);  // problem i starts at c + i * m * n: aligned when n is
  const dim3 block(kGemmThreads);
  for (int64_t first = 0; first < batch; first += kMaxGridZ) {  // gridDim.z is at most 65535
    const dim3 grid(unsigned((n + kTileN - 1) / kTileN), unsigned((m + kTileM - 1) / kTileM),
                    unsigned(std::min<int64_t>(kMaxGridZ, batch - first)));
    GemmArgs part = g;
    part.a += first * a_batch_stride;
    part.b += first * b_batch_stride;
    part.c += first * m * n;
    if (!transpose_a && !transpose_b) sgemm_kernel<false, false><<<grid, block, 0, stream>>>(part);
    else if (!transpose_a) sgemm_kernel<false, true><<<grid, block, 0, stream>>>(part);
    else if (!transpose_b) sgemm_kernel<true, false><<<grid, block, 0, stream>>>(part);
    else sgemm_kernel<true, true><<<grid, block, 0, stream>>>(part);
    TAPEFLOW_CUDA_CHECK_LAUNCH();
  }
}

}  // namespace tapeflow::kernels::cuda
