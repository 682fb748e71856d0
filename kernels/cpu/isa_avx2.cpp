// The kernels written once on GCC vectors (kernels/cpu/simd.h), on 8-lane AVX2 vectors, for CPUs without AVX-512.
#include "kernels/cpu/conv_few_channels_impl.h"
#include "kernels/cpu/winograd_5x5_impl.h"

namespace tapeflow::kernels::cpu {

void winograd_5x5_forward_avx2(const float* input, const float* filter, const float* bias, bool relu, float* out,
                               float* scratch, const Conv2DGeometry& g) {
  winograd_forward<8>(input, filter, bias, relu, out, scratch, g);
}

void winograd_5x5_backward_filter_avx2(const float* input, const float* d_out, float* d_filter, float* scratch,
                                       const Conv2DGeometry& g) {
  winograd_filter_gradient<8>(input, d_out, d_filter, scratch, g);
}

void conv_few_channels_forward_avx2(const float* input, const float* filter, const float* bias, bool relu,
                                    float* out, float* scratch, const Conv2DGeometry& g) {
  few_channels_forward<8>(input, filter, bias, relu, out, scratch, g);
}

void conv_few_channels_backward_filter_avx2(const float* input, const float* d_out, float* d_filter,
                                            float* scratch, const Conv2DGeometry& g) {
  few_channels_filter_gradient<8>(input, d_out, d_filter, scratch, g);
}

}  // namespace tapeflow::kernels::cpu
