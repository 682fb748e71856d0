// matmul on CUDA through cuBLAS (or the tiled SGEMM in sgemm.cu). CPU twin: kernels/cpu/matmul.cpp.
#include <climits>
#include <string>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/cublas.cuh"
#include "kernels/cuda/stream.cuh"
#include "kernels/cuda_runtime.h"
#include "kernels/matmul.h"

namespace tapeflow::kernels::cuda {

namespace {

int as_int(int64_t v, const char* what) {
  if (v > INT_MAX) throw Error(std::string("matmul on CUDA: ") + what + " of " + std::to_string(v) +
                               " exceeds cuBLAS's 32-bit limit");
  return static_cast<int>(v);
}

}  // namespace

void matmul(int device, bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k,
            const float* a, int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c,
            const MatmulOptions& options) {
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: cuBLAS may skip the write entirely
    TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
    TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(c, 0, sizeof(float) * size_t(batch * m * n), compute_stream(device)));
    return;
  }
  if (options.gemm == Gemm::kTiled)
    return sgemm_tiled(device, transpose_a, transpose_b, batch, m, n, k, a, a_batch_stride, b, b_batch_stride, c);

  // cuBLAS is column-major: a row-major [R, C] matrix is its column-major transpose, so the row-major
  // C = op(A) op(B) is computed as the column-major C^T = op(B)^T op(A)^T, with B first.
  const float alpha = 1.f, beta = 0.f;
  const cublasComputeType_t compute = options.allow_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  const int lda = as_int(transpose_a ? m : k, "a leading dimension");
  const int ldb = as_int(transpose_b ? k : n, "b leading dimension");
  TAPEFLOW_CUBLAS_CHECK(cublas().GemmStridedBatchedEx(
      cublas_handle(device), transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N, transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N,
      as_int(n, "n"), as_int(m, "m"), as_int(k, "k"), &alpha, b, CUDA_R_32F, ldb, b_batch_stride, a, CUDA_R_32F,
      lda, a_batch_stride, &beta, c, CUDA_R_32F, as_int(n, "n"), m * n, as_int(batch, "batch"), compute,
      CUBLAS_GEMM_DEFAULT));
}

void transpose(int device, const float* in, float* out, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return;
  // Column-major view: `in` is [cols, rows] with ld cols; out = in^T is [rows, cols] column-major, ld rows.
  // geam adds beta * op(B); B is `in` again (with beta 0) so that nothing uninitialised is read.
  const float one = 1.f, zero = 0.f;
  const int ld_in = as_int(cols, "cols"), ld_out = as_int(rows, "rows");
  TAPEFLOW_CUBLAS_CHECK(cublas().Sgeam(cublas_handle(device), CUBLAS_OP_T, CUBLAS_OP_T, ld_out, ld_in, &one, in,
                                        ld_in, &zero, in, ld_in, out, ld_out));
}

}  // namespace tapeflow::kernels::cuda
