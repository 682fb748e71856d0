#include "kernels/matmul.h"

#include <cblas.h>

#include <algorithm>

namespace tapeflow::kernels::cpu {

void matmul(bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k, const float* a,
            int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: BLAS implementations differ on whether they write C
    std::fill_n(c, batch * m * n, 0.f);
    return;
  }
  const int lda = static_cast<int>(transpose_a ? m : k);
  const int ldb = static_cast<int>(transpose_b ? k : n);
  for (int64_t i = 0; i < batch; ++i) {
    cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.f, a + i * a_batch_stride, lda,
                b + i * b_batch_stride, ldb, 0.f, c + i * m * n, static_cast<int>(n));
  }
}

}  // namespace tapeflow::kernels::cpu
