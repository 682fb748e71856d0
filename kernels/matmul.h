#pragma once
// Matrix products. Row-major; op(X) is X or its transpose. CPU: oneDNN's dnnl_sgemm with TAPEFLOW_ONEDNN
// (kernels/cpu/matmul_onednn.cpp; AVX-512, faster at every model shape in bench/kernel_bench), else OpenBLAS
// (kernels/cpu/matmul.cpp);
// CUDA: cuBLAS (kernels/cuda/matmul.cu) or tapeflow's tiled SGEMM (kernels/cuda/sgemm.cu).
#include <cstdint>

namespace tapeflow::kernels {

namespace cpu {

// For each of `batch` problems: C[M, N] = op(A) [M, K] * op(B) [K, N]. A is stored [M, K] (or [K, M]
// when transpose_a), B [K, N] (or [N, K]); problem i reads A + i * a_batch_stride (0 broadcasts A).
void matmul(bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k, const float* a,
            int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c);

}  // namespace cpu

namespace cuda {

enum class Gemm { kCublas, kTiled };
struct MatmulOptions {
  Gemm gemm = Gemm::kCublas;
  bool allow_tf32 = false;  // cuBLAS only: TF32 tensor cores for the products
};

// The CPU declaration's contract on CUDA device `device` (every pointer in its memory), queued on its
// compute stream. C is fully written (zeros when k == 0).
void matmul(int device, bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k,
            const float* a, int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c,
            const MatmulOptions& options = {});

// tapeflow's own SGEMM with the same contract (what matmul runs for Gemm::kTiled); float32 math always.
void sgemm_tiled(int device, bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                 const float* a, int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c);

// out [cols, rows] = in [rows, cols]^T (cuBLAS geam), for layout changes around library calls.
void transpose(int device, const float* in, float* out, int64_t rows, int64_t cols);

}  // namespace cuda
}  // namespace tapeflow::kernels
