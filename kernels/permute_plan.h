#pragma once
// The copy plan of a transpose/permute, shared by kernels/cpu/array.cpp and kernels/cuda/array.cu (host
// code on both sides): fewer, larger dims mean longer contiguous runs to copy.
#include <cstdint>

namespace tapeflow::kernels {

inline constexpr int kMaxPermuteRank = 8;

// The permutation with size-1 dims dropped and dims that stay adjacent merged ([N, H, W, C] by
// {0, 3, 1, 2} is [N, H*W, C] by {0, 2, 1}); the plan both the CPU and the CUDA kernels copy by.
struct Permutation {
  int rank = 0;
  int64_t dims[kMaxPermuteRank] = {};  // of x
  int perm[kMaxPermuteRank] = {};
};

inline Permutation coalesce(int rank, const int64_t* x_dims, const int* perm) {
  int index_of[kMaxPermuteRank], kept = 0;  // x dim -> its index among the dims that are not 1
  int64_t dims[kMaxPermuteRank];
  for (int d = 0; d < rank; ++d)
    if (x_dims[d] != 1) {
      index_of[d] = kept;
      dims[kept++] = x_dims[d];
    }
  // Runs [first, last] of kept x dims that follow each other in the output, in output order.
  int first[kMaxPermuteRank], last[kMaxPermuteRank], runs = 0;
  for (int i = 0; i < rank; ++i) {
    if (x_dims[perm[i]] == 1) continue;
    const int d = index_of[perm[i]];
    if (runs > 0 && d == last[runs - 1] + 1) {
      last[runs - 1] = d;
    } else {
      first[runs] = last[runs] = d;
      ++runs;
    }
  }
  Permutation p;
  p.rank = runs;
  for (int r = 0; r < runs; ++r) {
    int place = 0;  // a run's place in x is its rank among the runs' first dims
    for (int s = 0; s < runs; ++s) place += first[s] < first[r];
    p.perm[r] = place;
    p.dims[place] = 1;
    for (int d = first[r]; d <= last[r]; ++d) p.dims[place] *= dims[d];
  }
  return p;
}

}  // namespace tapeflow::kernels
