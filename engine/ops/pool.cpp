// max_pool2d and avg_pool2d (NHWC, TF's padding rules) with their backward rules.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "engine/ops/conv_geometry.h"
#include "kernels/pool.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::nn {

namespace {

kernels::Conv2DGeometry pool_geometry(const char* op, const Tensor& input, std::array<int, 2> ksize,
                                      std::array<int, 2> strides, Padding padding) {
  detail::check_dtype(op, input, DType::kFloat32, "input");
  TAPEFLOW_CHECK(input.rank() == 4, "{}: expected input [N, H, W, C], found {}", op, input.shape());
  return detail::conv_geometry(op, input.shape(), ksize[0], ksize[1], input.shape()[3], strides, {1, 1}, padding);
}

}  // namespace

Tensor max_pool2d(const Tensor& input, std::array<int, 2> ksize, std::array<int, 2> strides, Padding padding) {
  const profiler::Scope trace("op", op_name(OpId::k_max_pool2d), input);
  const kernels::Conv2DGeometry g = pool_geometry("max_pool2d", input, ksize, strides, padding);
  Tensor out = Tensor::empty({g.n, g.oh, g.ow, g.c}, DType::kFloat32, input.device());
  const bool recording = autodiff::should_record({&input});
  // The maxima are kept as int32 offsets within their image.
  TAPEFLOW_CHECK(g.h * g.w * g.c <= INT32_MAX, "max_pool2d: an image of {} elements is too large (at most 2^31 - 1)",
                 g.h * g.w * g.c);
  Tensor argmax = recording ? Tensor::empty(out.shape(), DType::kInt32, input.device()) : Tensor();
  switch (input.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::max_pool_forward(input.data<float>(), out.data<float>(),
                                     recording ? argmax.data<int32_t>() : nullptr, g);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::max_pool_forward(input.device().index, input.data<float>(), out.data<float>(),
                                      recording ? argmax.data<int32_t>() : nullptr, g);
      break;
#else
      detail::throw_no_cuda_kernel("max_pool2d");
#endif
  }
  if (recording) {
    autodiff::record(OpId::k_max_pool2d, {input}, {out},
                     [input, argmax, g](const std::vector<Tensor>& grads, const std::vector<bool>&) {
                       autodiff::require_first_order(OpId::k_max_pool2d, {&input, &grads[0]});
                       Tensor d_input = Tensor::empty(input.shape(), DType::kFloat32, input.device());
                       switch (input.device().type) {
                         case DeviceType::kCPU:
                           kernels::cpu::max_pool_backward(grads[0].data<float>(), argmax.data<int32_t>(),
                                                           d_input.data<float>(), g);
                           break;
                         case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
                           kernels::cuda::max_pool_backward(input.device().index, grads[0].data<float>(),
                                                            argmax.data<int32_t>(), d_input.data<float>(), g);
                           break;
#else
                           detail::throw_no_cuda_kernel("max_pool2d (backward)");
#endif
                       }
                       return std::vector<Tensor>{d_input};
                     });
  }
  return debugging::detail::checked(OpId::k_max_pool2d, out);
}

Tensor avg_pool2d(const Tensor& input, std::array<int, 2> ksize, std::array<int, 2> strides, Padding padding) {
  const profiler::Scope trace("op", op_name(OpId::k_avg_pool2d), input);
  const kernels::Conv2DGeometry g = pool_geometry("avg_pool2d", input, ksize, strides, padding);
  Tensor out = Tensor::empty({g.n, g.oh, g.ow, g.c}, DType::kFloat32, input.device());
  switch (input.device().type) {
    case DeviceType::kCPU: kernels::cpu::avg_pool_forward(input.data<float>(), out.data<float>(), g); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::avg_pool_forward(input.device().index, input.data<float>(), out.data<float>(), g);
      break;
#else
      detail::throw_no_cuda_kernel("avg_pool2d");
#endif
  }
  if (autodiff::should_record({&input})) {
    autodiff::record(OpId::k_avg_pool2d, {input}, {out},
                     [shape = input.shape(), g](const std::vector<Tensor>& grads, const std::vector<bool>&) {
                       autodiff::require_first_order(OpId::k_avg_pool2d, {&grads[0]});
                       Tensor d_input = Tensor::empty(shape, DType::kFloat32, grads[0].device());
                       switch (grads[0].device().type) {
                         case DeviceType::kCPU:
                           kernels::cpu::avg_pool_backward(grads[0].data<float>(), d_input.data<float>(), g);
                           break;
                         case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
                           kernels::cuda::avg_pool_backward(grads[0].device().index, grads[0].data<float>(),
                                                            d_input.data<float>(), g);
                           break;
#else
                           detail::throw_no_cuda_kernel("avg_pool2d (backward)");
#endif
                       }
                       return std::vector<Tensor>{d_input};
                     });
  }
  return debugging::detail::checked(OpId::k_avg_pool2d, out);
}

}  // namespace tapeflow::nn
