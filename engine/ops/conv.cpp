// conv2d (NHWC, HWIO) with TF's padding rules, and its backward rule.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "engine/ops/conv_backward.h"
#include "engine/ops/conv_geometry.h"
#include "engine/tensor_internal.h"
#include "kernels/conv.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/runtime.h"

namespace tapeflow::detail {

namespace {

// The runtime settings (tapeflow/runtime.h) as the CUDA kernels' options.
[[maybe_unused]] kernels::cuda::ConvOptions cuda_conv_options() {
  return {tensor_float32_execution_enabled(), cudnn_benchmark(), op_determinism_enabled()};
}

// Scratch for a CPU conv pass (the im2col matrix without oneDNN; none with it), from the caching allocator.
Tensor cpu_conv_scratch(kernels::cpu::ConvPass pass, const kernels::Conv2DGeometry& g) {
  const int64_t size = kernels::cpu::conv2d_scratch_size(pass, g);
  return size ? Tensor::empty({size}, DType::kFloat32) : Tensor();
}
float* data_or_null(Tensor& t) { return t.defined() ? t.data<float>() : nullptr; }

}  // namespace

Tensor conv2d_backward_input(const Tensor& d_out, const Tensor& filters, const Shape& input_shape,
                             const kernels::Conv2DGeometry& g) {
  Tensor d_input = Tensor::empty(input_shape, DType::kFloat32, d_out.device());
  switch (d_out.device().type) {
    case DeviceType::kCPU: {
      Tensor scratch = cpu_conv_scratch(kernels::cpu::ConvPass::kBackwardInput, g);
      kernels::cpu::conv2d_backward_input(d_out.data<float>(), filters.data<float>(), d_input.data<float>(),
                                          data_or_null(scratch), g);
      break;
    }
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::conv2d_backward_input(d_out.device().index, d_out.data<float>(), filters.data<float>(),
                                           d_input.data<float>(), g, cuda_conv_options());
      break;
#else
      detail::throw_no_cuda_kernel("conv2d (backward input)");
#endif
  }
  return d_input;
}

Tensor conv2d_backward_filter(const Tensor& input, const Tensor& d_out, const Shape& filter_shape,
                              const kernels::Conv2DGeometry& g) {
  Tensor d_filter = Tensor::empty(filter_shape, DType::kFloat32, d_out.device());
  switch (d_out.device().type) {
    case DeviceType::kCPU: {
      Tensor scratch = cpu_conv_scratch(kernels::cpu::ConvPass::kBackwardFilter, g);
      kernels::cpu::conv2d_backward_filter(input.data<float>(), d_out.data<float>(), d_filter.data<float>(),
                                           data_or_null(scratch), g);
      break;
    }
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::conv2d_backward_filter(d_out.device().index, input.data<float>(), d_out.data<float>(),
                                            d_filter.data<float>(), g, cuda_conv_options());
      break;
#else
      detail::throw_no_cuda_kernel("conv2d (backward filter)");
#endif
  }
  return d_filter;
}

}  // namespace tapeflow::detail

namespace tapeflow::nn {

Tensor conv2d(const Tensor& input, const Tensor& filters, std::array<int, 2> strides, Padding padding,
              std::array<int, 2> dilations) {
  const profiler::Scope trace("op", op_name(OpId::k_conv2d), input);
  const kernels::Conv2DGeometry g = detail::conv2d_geometry("conv2d", input, filters, strides, dilations, padding);
  Tensor out = Tensor::empty({g.n, g.oh, g.ow, g.o}, DType::kFloat32, input.device());
  const bool recording = autodiff::should_record({&input, &filters});
  switch (input.device().type) {
    case DeviceType::kCPU: {
      Tensor scratch = detail::cpu_conv_scratch(kernels::cpu::ConvPass::kForward, g);
      kernels::cpu::conv2d_forward(input.data<float>(), filters.data<float>(), out.data<float>(),
                                   detail::data_or_null(scratch), g);
      break;
    }
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::conv2d_forward(input.device().index, input.data<float>(), filters.data<float>(),
                                    out.data<float>(), g, detail::cuda_conv_options());
      break;
#else
      detail::throw_no_cuda_kernel("conv2d");
#endif
  }
  if (recording) {
    autodiff::record(OpId::k_conv2d, {input, filters}, {out},
                     [input, filters, g](const std::vector<Tensor>& grads, const std::vector<bool>& need) {
                       autodiff::require_first_order(OpId::k_conv2d, {&input, &filters, &grads[0]});
                       return std::vector<Tensor>{
                           need[0] ? detail::conv2d_backward_input(grads[0], filters, input.shape(), g) : Tensor(),
                           need[1] ? detail::conv2d_backward_filter(input, grads[0], filters.shape(), g) : Tensor()};
                     });
  }
  return debugging::detail::checked(OpId::k_conv2d, out);
}

}  // namespace tapeflow::nn
