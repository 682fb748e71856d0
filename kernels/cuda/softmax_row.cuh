#pragma once
// The two reductions every softmax over a row starts with, written once against a Group
// (kernels/cuda/reduce.cuh): the row's maximum, then the sum of exp(x - max).
#include <cstdint>

#include "kernels/cuda/reduce.cuh"

namespace tapeflow::kernels::cuda {

// As the CPU's lane_max: a NaN is never > m, so it is skipped (and shows up in the sum instead).
template <class G>
__device__ float row_max(const float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t k = G::rank(); k < n; k += G::size()) m = x[k] > m ? x[k] : m;
  return G::reduce(m, MaxOp{});
}

// sum(exp(x - m)) over the row.
template <class G>
__device__ float row_sum_exp(const float* x, int64_t n, float m) {
  float s = 0.f;
  for (int64_t k = G::rank(); k < n; k += G::size()) s += expf(x[k] - m);
  return G::reduce(s, AddOp{});
}

}  // namespace tapeflow::kernels::cuda
