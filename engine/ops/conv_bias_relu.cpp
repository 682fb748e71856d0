// conv2d_bias_relu: a conv layer's forward, fused for inference on the CPU. Training needs the three ops'
// backward rules and inputs anyway, so under a tape it is conv2d, add and relu, each recorded as usual.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "engine/ops/conv_geometry.h"
#include "kernels/conv.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/profiler.h"

namespace tapeflow::nn {

Tensor conv2d_bias_relu(const Tensor& input, const Tensor& filters, const Tensor& bias, std::array<int, 2> strides,
                        Padding padding, std::array<int, 2> dilations) {
  const char* op = "conv2d_bias_relu";
  const kernels::Conv2DGeometry g = detail::conv2d_geometry(op, input, filters, strides, dilations, padding);
  detail::check_dtype(op, bias, DType::kFloat32, "bias");
  detail::check_same_device(op, input, bias);
  TAPEFLOW_CHECK(bias.rank() == 1 && bias.shape()[0] == g.o, "{}: expected bias [{}] (one per filter), found {}", op,
                 g.o, bias.shape());
  // The CUDA path is the three ops too: cuDNN's fused conv is not wired in yet.
  if (autodiff::should_record({&input, &filters, &bias}) || !input.device().is_cpu())
    return relu(add(conv2d(input, filters, strides, padding, dilations), bias));

  const profiler::Scope trace("op", op, input);
  Tensor out = Tensor::empty({g.n, g.oh, g.ow, g.o}, DType::kFloat32, input.device());
  const int64_t scratch_size = kernels::cpu::conv2d_scratch_size(kernels::cpu::ConvPass::kForwardBiasRelu, g);
  Tensor scratch = scratch_size ? Tensor::empty({scratch_size}, DType::kFloat32) : Tensor();
  kernels::cpu::conv2d_bias_relu_forward(input.data<float>(), filters.data<float>(), bias.data<float>(),
                                         out.data<float>(), scratch.defined() ? scratch.data<float>() : nullptr, g);
  return debugging::detail::checked(OpId::k_conv2d, out);  // reported as the conv its bias and ReLU joined
}

}  // namespace tapeflow::nn
