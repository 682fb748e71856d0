// lstm_cell: the LSTM's gates and state update fused (kernels/lstm.h); the backward recomputes the gates
// from the saved pre-activations, so it stores nothing beyond its inputs.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "kernels/lstm.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/profiler.h"

namespace tapeflow::nn {

namespace {

kernels::LstmShape lstm_shape(const Tensor& c) { return {c.shape()[0], c.shape()[1]}; }

std::vector<Tensor> lstm_cell_backward(const Tensor& gates, const Tensor& c, const Tensor& dh_next,
                                       const Tensor& dc_next) {
  autodiff::require_first_order(OpId::k_lstm_cell, {&gates, &c, &dh_next, &dc_next});
  Tensor d_gates = Tensor::empty(gates.shape(), DType::kFloat32, gates.device());
  Tensor dc = Tensor::empty(c.shape(), DType::kFloat32, c.device());
  switch (gates.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::lstm_cell_backward(gates.data<float>(), c.data<float>(), dh_next.data<float>(), nullptr,
                                       dc_next.data<float>(), d_gates.data<float>(), dc.data<float>(), lstm_shape(c));
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::lstm_cell_backward(gates.device().index, gates.data<float>(), c.data<float>(),
                                        dh_next.data<float>(), nullptr, dc_next.data<float>(), d_gates.data<float>(),
                                        dc.data<float>(), lstm_shape(c));
      break;
#endif
      detail::throw_no_cuda_kernel("lstm_cell backward");
  }
  return {d_gates, dc};
}

}  // namespace

std::pair<Tensor, Tensor> lstm_cell(const Tensor& gates, const Tensor& c) {
  const profiler::Scope trace("op", op_name(OpId::k_lstm_cell), gates);
  detail::check_dtype("lstm_cell", gates, DType::kFloat32, "gates");
  detail::check_dtype("lstm_cell", c, DType::kFloat32, "c");
  detail::check_same_device("lstm_cell", gates, c);
  TAPEFLOW_CHECK(c.shape().rank() == 2 && gates.shape() == Shape({c.shape()[0], 4 * c.shape()[1]}),
                 "lstm_cell: expected gates [batch, 4 units] and c [batch, units], found gates {} and c {}",
                 gates.shape().to_string(), c.shape().to_string());
  Tensor h_next = Tensor::empty(c.shape(), DType::kFloat32, c.device());
  Tensor c_next = Tensor::empty(c.shape(), DType::kFloat32, c.device());
  switch (c.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::lstm_cell_forward(gates.data<float>(), c.data<float>(), h_next.data<float>(), c_next.data<float>(),
                                      lstm_shape(c));
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::lstm_cell_forward(c.device().index, gates.data<float>(), c.data<float>(), h_next.data<float>(),
                                       c_next.data<float>(), lstm_shape(c));
      break;
#endif
      detail::throw_no_cuda_kernel("lstm_cell");
  }
  if (autodiff::should_record({&gates, &c})) {
    autodiff::record(OpId::k_lstm_cell, {gates, c}, {h_next, c_next},
                     [gates, c](const std::vector<Tensor>& g, const std::vector<bool>&) {
                       return lstm_cell_backward(gates, c, g[0], g[1]);
                     });
  }
  return {debugging::detail::checked(OpId::k_lstm_cell, h_next, 0),
          debugging::detail::checked(OpId::k_lstm_cell, c_next, 1)};
}

}  // namespace tapeflow::nn
