// Which convolutions take the Winograd path, its scratch, and the choice of instruction set.
#include "kernels/cpu/winograd_5x5.h"

#include <omp.h>

namespace tapeflow::kernels::cpu {

bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

// Below 16 channels either way the GEMMs are too thin to pay for the transforms (conv1's single input channel
// stays with direct convolution).
bool winograd_5x5_applies(const Conv2DGeometry& g) {
  return g.kh == 5 && g.kw == 5 && g.stride_h == 1 && g.stride_w == 1 && g.dilation_h == 1 && g.dilation_w == 1 &&
         g.c >= 16 && g.o >= 16;
}

// Sized for the widest vectors, whose rounding up of the channel counts needs the most.
int64_t winograd_5x5_scratch_size(const Conv2DGeometry& g) {
  constexpr int kWidestLanes = 16;
  return winograd_5x5::filter_floats(g, kWidestLanes) + omp_get_max_threads() * winograd_5x5::block_floats(g, kWidestLanes);
}

void winograd_5x5_forward(const float* input, const float* filter, const float* bias, bool relu, float* out,
                          float* scratch, const Conv2DGeometry& g) {
  if (cpu_has_avx512())
    winograd_5x5_forward_avx512(input, filter, bias, relu, out, scratch, g);
  else
    winograd_5x5_forward_avx2(input, filter, bias, relu, out, scratch, g);
}

}  // namespace tapeflow::kernels::cpu
