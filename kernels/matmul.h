#pragma once
// Matrix products. Row-major; op(X) is X or its transpose.
#include <cstdint>

namespace tapeflow::kernels::cpu {

// For each of `batch` problems: C[M, N] = op(A) [M, K] * op(B) [K, N]. A is stored [M, K] (or [K, M]
// when transpose_a), B [K, N] (or [N, K]); problem i reads A + i * a_batch_stride (0 broadcasts A).
void matmul(bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k, const float* a,
            int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c);

}  // namespace tapeflow::kernels::cpu
