// Matrix products on the CPU through oneDNN's dnnl_sgemm (TAPEFLOW_ONEDNN=ON): its AVX-512 GEMM, where
// OpenBLAS runs AVX2 kernels under OPENBLAS_CORETYPE=Haswell (bench/kernel_bench, bench/results/NOTES.md).
// The twin without oneDNN is kernels/cpu/matmul.cpp.
#include <dnnl.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/matmul.h"

namespace tapeflow::kernels::cpu {

void matmul(bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k, const float* a,
            int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum
    std::fill_n(c, batch * m * n, 0.f);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) {
    const dnnl_status_t status =
        dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, 1.f, a + i * a_batch_stride,
                   transpose_a ? m : k, b + i * b_batch_stride, transpose_b ? k : n, 0.f, c + i * m * n, n);
    if (status != dnnl_success)
      throw std::runtime_error("matmul: dnnl_sgemm failed (status " + std::to_string(int(status)) + ")");
  }
}

}  // namespace tapeflow::kernels::cpu
