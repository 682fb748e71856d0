#include "kernels/cpu/cpu_features.h"

namespace tapeflow::kernels::cpu {

bool cpu_has_avx512() {
  // The AVX-512 files are compiled for x86-64-v4, which may use any of its subsets.
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512vl");
  return has;
}

}  // namespace tapeflow::kernels::cpu
