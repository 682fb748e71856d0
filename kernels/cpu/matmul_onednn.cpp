// Matrix products on the CPU through oneDNN's dnnl_sgemm (TAPEFLOW_ONEDNN=ON): its AVX-512 GEMM, where
// OpenBLAS runs AVX2 kernels under OPENBLAS_CORETYPE=Haswell (bench/kernel_bench, bench/results/NOTES.md).
// The twin without oneDNN is kernels/cpu/matmul.cpp.
#include <dnnl.h>
#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/matmul.h"

namespace tapeflow::kernels::cpu {

namespace {

// oneDNN 2.6's sgemm shares a product of few rows by a transposed B badly between threads: the CNN's dense input
// gradient, [50, 1024] x [3136, 1024]^T, took 2.2-3.0 ms on 2 threads, and 1.6-1.9 ms with C's columns split
// between the threads, each running a one-thread sgemm on its own rows of B. Small products lose the split's
// fork (the MLP's [50, 100] x [784, 100]^T: 33 -> 51 us), and 1000 rows are better left to oneDNN (0.94x);
// bench/results/NOTES.md.
bool split_columns(bool transpose_a, bool transpose_b, int64_t m, int64_t n, int64_t k) {
  return !transpose_a && transpose_b && m <= 256 && m * n * k >= (int64_t{1} << 24) && omp_get_max_threads() > 1;
}

void check(dnnl_status_t status) {
  if (status != dnnl_success)
    throw std::runtime_error("matmul: dnnl_sgemm failed (status " + std::to_string(int(status)) + ")");
}

// c [m, n] = a [m, k] b [n, k]^T, each thread computing a band of c's columns (a whole number of cache lines
// wide, but for the last) with a one-thread sgemm: OpenMP runs nested regions, oneDNN's among them, on one thread.
void matmul_split_columns(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  dnnl_status_t failed = dnnl_success;
#pragma omp parallel
  {
    const int64_t thread = omp_get_thread_num(), threads = omp_get_num_threads(), line = 16;
    const int64_t first = n * thread / threads / line * line;
    const int64_t end = thread + 1 == threads ? n : n * (thread + 1) / threads / line * line;
    if (end > first) {
      const dnnl_status_t status = dnnl_sgemm('N', 'T', m, end - first, k, 1.f, a, k, b + first * k, k, 0.f,
                                              c + first, n);
      if (status != dnnl_success) {
#pragma omp critical(tapeflow_matmul_status)
        failed = status;
      }
    }
  }
  check(failed);
}

}  // namespace

void matmul(bool transpose_a, bool transpose_b, int64_t batch, int64_t m, int64_t n, int64_t k, const float* a,
            int64_t a_batch_stride, const float* b, int64_t b_batch_stride, float* c) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum
    std::fill_n(c, batch * m * n, 0.f);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) {
    if (split_columns(transpose_a, transpose_b, m, n, k)) {
      matmul_split_columns(m, n, k, a + i * a_batch_stride, b + i * b_batch_stride, c + i * m * n);
      continue;
    }
    check(dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, 1.f, a + i * a_batch_stride,
                     transpose_a ? m : k, b + i * b_batch_stride, transpose_b ? k : n, 0.f, c + i * m * n, n));
  }
}

}  // namespace tapeflow::kernels::cpu
