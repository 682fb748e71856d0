// softmax, log_softmax and the fused sparse softmax cross-entropy, with their backward rules.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "kernels/softmax.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::nn {

namespace {

// The axis splits the shape into [outer, n, inner]: the kernels normalise along n.
struct Lanes {
  int64_t outer = 1, n = 1, inner = 1;
};
Lanes lanes_of(const Shape& s, int axis) {
  Lanes l;
  for (int d = 0; d < s.rank(); ++d) (d < axis ? l.outer : d == axis ? l.n : l.inner) *= s[d];
  return l;
}

Tensor softmax_backward(OpId id, const Tensor& y, const Tensor& dy, const Lanes& l, bool log) {
  autodiff::require_first_order(id, {&y, &dy});
  Tensor dx = Tensor::empty(y.shape(), DType::kFloat32, y.device());
  switch (y.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::softmax_backward(y.data<float>(), dy.data<float>(), dx.data<float>(), l.outer, l.n, l.inner, log);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::softmax_backward(y.device().index, y.data<float>(), dy.data<float>(), dx.data<float>(), l.outer,
                                      l.n, l.inner, log);
      break;
#endif
      detail::throw_no_cuda_kernel(op_name(id).data());
  }
  return dx;
}

Tensor softmax_forward(OpId id, const Tensor& x, int axis, bool log) {
  const profiler::Scope trace("op", op_name(id), x);
  const char* name = op_name(id).data();
  detail::check_dtype(name, x, DType::kFloat32, "logits");
  TAPEFLOW_CHECK(x.rank() >= 1, "{}: expected logits of rank >= 1, found a scalar", name);
  const Lanes l = lanes_of(x.shape(), normalize_axis(axis, x.rank(), name));
  Tensor y = Tensor::empty(x.shape(), DType::kFloat32, x.device());
  switch (x.device().type) {
    case DeviceType::kCPU: kernels::cpu::softmax(x.data<float>(), y.data<float>(), l.outer, l.n, l.inner, log); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::softmax(x.device().index, x.data<float>(), y.data<float>(), l.outer, l.n, l.inner, log);
      break;
#endif
      detail::throw_no_cuda_kernel(name);
  }
  if (autodiff::should_record({&x})) {
    autodiff::record(id, {x}, {y}, [id, y, l, log](const std::vector<Tensor>& g, const std::vector<bool>&) {
      return std::vector<Tensor>{softmax_backward(id, y, g[0], l, log)};
    });
  }
  return debugging::detail::checked(id, y);
}

}  // namespace

Tensor softmax(const Tensor& logits, int axis) { return softmax_forward(OpId::k_softmax, logits, axis, false); }
Tensor log_softmax(const Tensor& logits, int axis) { return softmax_forward(OpId::k_log_softmax, logits, axis, true); }

Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  const profiler::Scope trace("op", op_name(OpId::k_sparse_softmax_cross_entropy), logits);
  const char* name = "sparse_softmax_cross_entropy_with_logits";
  detail::check_dtype(name, logits, DType::kFloat32, "logits");
  detail::check_defined(name, labels, "labels");
  detail::check_same_device(name, labels, logits);
  TAPEFLOW_CHECK(labels.dtype() == DType::kInt32 || labels.dtype() == DType::kInt64,
                 "{}: expected int32 or int64 labels, found {}", name, dtype_name(labels.dtype()));
  TAPEFLOW_CHECK(logits.rank() >= 1, "{}: logits must have a class dimension, found a scalar", name);
  const Shape batch_shape(logits.shape().dims().first(logits.rank() - 1));
  TAPEFLOW_CHECK(labels.shape() == batch_shape, "{}: labels {} must have logits' shape without its last dim: {} -> {}",
                 name, labels.shape(), logits.shape(), batch_shape);
  const int64_t n = logits.shape()[logits.rank() - 1];
  const int64_t rows = batch_shape.num_elements();
  const Tensor label_ids = cast(labels, DType::kInt64);
  const bool recording = autodiff::should_record({&logits});
  Tensor loss = Tensor::empty(batch_shape, DType::kFloat32, logits.device());
  Tensor grad = recording ? Tensor::empty(logits.shape(), DType::kFloat32, logits.device()) : Tensor();
  const int64_t* ids = label_ids.data<int64_t>();
  float* grad_or_null = recording ? grad.data<float>() : nullptr;
  int64_t bad = -1;
  switch (logits.device().type) {
    case DeviceType::kCPU:
      bad = kernels::cpu::softmax_xent(logits.data<float>(), ids, loss.data<float>(), grad_or_null, rows, n);
      break;
    case DeviceType::kCUDA: {
#ifdef TAPEFLOW_WITH_CUDA
      // A bad label is thrown by the next read from the device (kernels/cuda/bad_input.cuh).
      kernels::cuda::softmax_xent(logits.device().index, logits.data<float>(), ids, loss.data<float>(), grad_or_null,
                                  rows, n);
      break;
#endif
      detail::throw_no_cuda_kernel(name);
    }
  }
  TAPEFLOW_CHECK(bad < 0, "{}: label {} at position {} is out of range for {} classes (expected 0 <= label < {})", name,
                 bad < 0 ? 0 : label_ids.to(Device::cpu()).data<int64_t>()[bad], bad, n, n);
  if (recording) {
    autodiff::record(OpId::k_sparse_softmax_cross_entropy, {labels, logits}, {loss},
                     [grad, logits](const std::vector<Tensor>& g, const std::vector<bool>&) {
                       autodiff::require_first_order(OpId::k_sparse_softmax_cross_entropy, {&logits, &g[0]});
                       return std::vector<Tensor>{Tensor(), mul(grad, expand_dims(g[0], -1))};
                     });
  }
  return debugging::detail::checked(OpId::k_sparse_softmax_cross_entropy, loss);
}

}  // namespace tapeflow::nn
