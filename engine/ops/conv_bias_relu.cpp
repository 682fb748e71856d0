// conv2d_bias_relu: a conv layer's forward and backward as one op on the CPU. Apart, the bias add and the ReLU
// are two more passes over the conv's output forward, and the ReLU's gradient and the bias's sum two more
// backward; fused, the forward adds them as oneDNN post-ops and the backward makes one pass (bias_relu_grad).
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "engine/ops/conv_backward.h"
#include "engine/ops/conv_geometry.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/profiler.h"

namespace tapeflow::nn {

namespace {

// The gradients of input, filters and bias (those `need` asks for) given the gradient of out = relu(...).
std::vector<Tensor> conv2d_bias_relu_backward(const Tensor& input, const Tensor& filters, const Tensor& out,
                                              const Tensor& d_out, const kernels::Conv2DGeometry& g,
                                              const std::vector<bool>& need) {
  Tensor d_pre = Tensor::empty(out.shape(), DType::kFloat32);
  Tensor d_bias = Tensor::empty({g.o}, DType::kFloat32);
  kernels::cpu::bias_relu_grad(out.data<float>(), d_out.data<float>(), d_pre.data<float>(), d_bias.data<float>(),
                               out.num_elements() / g.o, g.o);
  return {need[0] ? detail::conv2d_backward_input(d_pre, filters, input.shape(), g) : Tensor(),
          need[1] ? detail::conv2d_backward_filter(input, d_pre, filters.shape(), g) : Tensor(),
          need[2] ? d_bias : Tensor()};
}

}  // namespace

Tensor conv2d_bias_relu(const Tensor& input, const Tensor& filters, const Tensor& bias, std::array<int, 2> strides,
                        Padding padding, std::array<int, 2> dilations) {
  const char* op = "conv2d_bias_relu";
  const kernels::Conv2DGeometry g = detail::conv2d_geometry(op, input, filters, strides, dilations, padding);
  detail::check_dtype(op, bias, DType::kFloat32, "bias");
  detail::check_same_device(op, input, bias);
  TAPEFLOW_CHECK(bias.rank() == 1 && bias.shape()[0] == g.o, "{}: expected bias [{}] (one per filter), found {}", op,
                 g.o, bias.shape());
  // cuDNN's fused conv is not wired in yet.
  if (!input.device().is_cpu()) return relu(add(conv2d(input, filters, strides, padding, dilations), bias));

  const profiler::Scope trace("op", op, input);
  Tensor out = Tensor::empty({g.n, g.oh, g.ow, g.o}, DType::kFloat32, input.device());
  const int64_t scratch_size = kernels::cpu::conv2d_scratch_size(kernels::cpu::ConvPass::kForwardBiasRelu, g);
  Tensor scratch = scratch_size ? Tensor::empty({scratch_size}, DType::kFloat32) : Tensor();
  kernels::cpu::conv2d_bias_relu_forward(input.data<float>(), filters.data<float>(), bias.data<float>(),
                                         out.data<float>(), scratch.defined() ? scratch.data<float>() : nullptr, g);
  if (autodiff::should_record({&input, &filters, &bias})) {
    // relu's gradient needs only where out > 0, which is where the pre-activation was.
    autodiff::record(OpId::k_conv2d_bias_relu, {input, filters, bias}, {out},
                     [input, filters, out, g](const std::vector<Tensor>& grads, const std::vector<bool>& need) {
                       autodiff::require_first_order(OpId::k_conv2d_bias_relu, {&input, &filters, &grads[0]});
                       return conv2d_bias_relu_backward(input, filters, out, grads[0], g, need);
                     });
  }
  return debugging::detail::checked(OpId::k_conv2d_bias_relu, out);
}

}  // namespace tapeflow::nn
