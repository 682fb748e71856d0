#include "kernels/cpu/cpu_features.h"

namespace tapeflow::kernels::cpu {

bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

}  // namespace tapeflow::kernels::cpu
