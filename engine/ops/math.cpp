// Elementwise ops: forward dispatch and, beside each, its backward rule.
#include "tapeflow/ops/math.h"

#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "engine/ops/broadcast.h"
#include "kernels/elementwise.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow {

namespace {

using kernels::ActivationGrad;
using kernels::BinaryOp;
using kernels::CompareOp;
using kernels::UnaryOp;

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  detail::check_defined(op, a, "a");
  detail::check_defined(op, b, "b");
  detail::check_same_device(op, a, b);
  TAPEFLOW_CHECK(a.dtype() == b.dtype(), "{}: operands have different dtypes: a is {}, b is {}", op,
                 dtype_name(a.dtype()), dtype_name(b.dtype()));
}

Tensor binary_forward(OpId id, BinaryOp op, const Tensor& a, const Tensor& b, bool float_only) {
  const profiler::Scope trace("op", op_name(id), a);
  const char* name = op_name(id).data();
  check_operands(name, a, b);
  const DType dt = a.dtype();
  TAPEFLOW_CHECK(dt == DType::kFloat32 || (!float_only && (dt == DType::kInt32 || dt == DType::kInt64)),
                 "{}: expected {}, found {}", name, float_only ? "float32" : "float32, int32 or int64", dtype_name(dt));
  const Shape out_shape = detail::broadcast_shapes(name, a.shape(), b.shape());
  Tensor out = Tensor::empty(out_shape, dt, a.device());
  const kernels::BroadcastLayout layout = detail::broadcast_layout(a.shape(), b.shape(), out_shape);
  switch (a.device().type) {
    case DeviceType::kCPU: kernels::cpu::binary(op, dt, a.raw_data(), b.raw_data(), out.raw_data(), layout); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::binary(a.device().index, op, dt, a.raw_data(), b.raw_data(), out.raw_data(), layout);
      break;
#endif
      detail::throw_no_cuda_kernel(name);
  }
  return debugging::detail::checked(id, out);
}

Tensor compare_forward(OpId id, CompareOp op, const Tensor& a, const Tensor& b) {
  const profiler::Scope trace("op", op_name(id), a);
  const char* name = op_name(id).data();
  check_operands(name, a, b);
  TAPEFLOW_CHECK(a.dtype() != DType::kString, "{}: string tensors cannot be compared", name);
  const Shape out_shape = detail::broadcast_shapes(name, a.shape(), b.shape());
  Tensor out = Tensor::empty(out_shape, DType::kBool, a.device());
  const kernels::BroadcastLayout layout = detail::broadcast_layout(a.shape(), b.shape(), out_shape);
  switch (a.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::compare(op, a.dtype(), a.raw_data(), b.raw_data(), out.data<bool>(), layout);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::compare(a.device().index, op, a.dtype(), a.raw_data(), b.raw_data(), out.data<bool>(), layout);
      break;
#endif
      detail::throw_no_cuda_kernel(name);
  }
  return out;
}

Tensor unary_forward(OpId id, UnaryOp op, const Tensor& x) {
  const profiler::Scope trace("op", op_name(id), x);
  const char* name = op_name(id).data();
  detail::check_dtype(name, x, DType::kFloat32, "x");
  Tensor y = Tensor::empty(x.shape(), DType::kFloat32, x.device());
  switch (x.device().type) {
    case DeviceType::kCPU: kernels::cpu::unary(op, x.data<float>(), y.data<float>(), x.num_elements()); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::unary(x.device().index, op, x.data<float>(), y.data<float>(), x.num_elements());
      break;
#endif
      detail::throw_no_cuda_kernel(name);
  }
  return debugging::detail::checked(id, y);
}

// dx = dy * f'(.) with a fused kernel; f' is read from x (relu) or y (sigmoid, tanh).
Tensor activation_backward(OpId id, ActivationGrad op, const Tensor& x_or_y, const Tensor& dy) {
  autodiff::require_first_order(id, {&x_or_y, &dy});
  Tensor dx = Tensor::empty(dy.shape(), DType::kFloat32, dy.device());
  switch (dy.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::activation_grad(op, x_or_y.data<float>(), dy.data<float>(), dx.data<float>(), dy.num_elements());
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::activation_grad(dy.device().index, op, x_or_y.data<float>(), dy.data<float>(), dx.data<float>(),
                                     dy.num_elements());
      break;
#endif
      detail::throw_no_cuda_kernel(op_name(id).data());
  }
  return dx;
}

Tensor mask_as_float(const Tensor& mask) { return cast(mask, DType::kFloat32); }

// Records a binary op whose backward gives the unreduced gradients (ga, gb) for the output shape;
// broadcasting is undone here, once for all binary ops.
template <class Grads>
void record_binary(OpId id, const Tensor& a, const Tensor& b, const Tensor& out, Grads grads) {
  if (!autodiff::should_record({&a, &b})) return;
  autodiff::record(id, {a, b}, {out}, [a, b, out, grads](const std::vector<Tensor>& g, const std::vector<bool>& need) {
    auto [ga, gb] = grads(g[0], need[0], need[1]);
    return std::vector<Tensor>{need[0] ? detail::sum_to_shape(ga, a.shape()) : Tensor(),
                               need[1] ? detail::sum_to_shape(gb, b.shape()) : Tensor()};
  });
}

template <class Grad> void record_unary(OpId id, const Tensor& x, const Tensor& y, Grad grad) {
  if (!autodiff::should_record({&x})) return;
  autodiff::record(id, {x}, {y}, [grad](const std::vector<Tensor>& g, const std::vector<bool>&) {
    return std::vector<Tensor>{grad(g[0])};
  });
}

Tensor scalar_like(float value, const Tensor& t) {
  Tensor s = fill(Shape{}, value, t.device());
  return t.dtype() == DType::kFloat32 ? s : cast(s, t.dtype());
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_add, BinaryOp::kAdd, a, b, false);
  record_binary(OpId::k_add, a, b, out, [](const Tensor& g, bool, bool) { return std::pair{g, g}; });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_sub, BinaryOp::kSub, a, b, false);
  record_binary(OpId::k_sub, a, b, out, [](const Tensor& g, bool, bool need_b) {
    return std::pair{g, need_b ? neg(g) : Tensor()};
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_mul, BinaryOp::kMul, a, b, false);
  record_binary(OpId::k_mul, a, b, out, [a, b](const Tensor& g, bool need_a, bool need_b) {
    return std::pair{need_a ? mul(g, b) : Tensor(), need_b ? mul(g, a) : Tensor()};
  });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_div, BinaryOp::kDiv, a, b, true);
  record_binary(OpId::k_div, a, b, out, [a, b](const Tensor& g, bool need_a, bool need_b) {
    return std::pair{need_a ? div(g, b) : Tensor(), need_b ? neg(div(mul(g, a), square(b))) : Tensor()};
  });
  return out;
}

Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_pow, BinaryOp::kPow, a, b, true);
  record_binary(OpId::k_pow, a, b, out, [a, b, out](const Tensor& g, bool need_a, bool need_b) {
    Tensor ga, gb;
    if (need_a) ga = mul(g, mul(b, pow(a, sub(b, scalar_like(1.f, b)))));
    if (need_b) {
      // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TF does).
      const Tensor positive = mask_as_float(greater(a, scalar_like(0.f, a)));
      const Tensor safe_a = add(mul(a, positive), sub(scalar_like(1.f, a), positive));
      gb = mul(g, mul(out, mul(log(safe_a), positive)));
    }
    return std::pair{ga, gb};
  });
  return out;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_maximum, BinaryOp::kMaximum, a, b, false);
  record_binary(OpId::k_maximum, a, b, out, [a, b](const Tensor& g, bool, bool) {
    return std::pair{mul(g, mask_as_float(greater_equal(a, b))), mul(g, mask_as_float(less(a, b)))};
  });
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(OpId::k_minimum, BinaryOp::kMinimum, a, b, false);
  record_binary(OpId::k_minimum, a, b, out, [a, b](const Tensor& g, bool, bool) {
    return std::pair{mul(g, mask_as_float(less_equal(a, b))), mul(g, mask_as_float(greater(a, b)))};
  });
  return out;
}

Tensor neg(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_neg, UnaryOp::kNeg, x);
  record_unary(OpId::k_neg, x, y, [](const Tensor& g) { return neg(g); });
  return y;
}

Tensor exp(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_exp, UnaryOp::kExp, x);
  record_unary(OpId::k_exp, x, y, [y](const Tensor& g) { return mul(g, y); });
  return y;
}

Tensor log(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_log, UnaryOp::kLog, x);
  record_unary(OpId::k_log, x, y, [x](const Tensor& g) { return div(g, x); });
  return y;
}

Tensor sqrt(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_sqrt, UnaryOp::kSqrt, x);
  record_unary(OpId::k_sqrt, x, y, [y](const Tensor& g) { return div(g, mul(y, scalar_like(2.f, y))); });
  return y;
}

Tensor square(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_square, UnaryOp::kSquare, x);
  record_unary(OpId::k_square, x, y, [x](const Tensor& g) { return mul(g, mul(x, scalar_like(2.f, x))); });
  return y;
}

Tensor sigmoid(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_sigmoid, UnaryOp::kSigmoid, x);
  record_unary(OpId::k_sigmoid, x, y,
               [y](const Tensor& g) { return activation_backward(OpId::k_sigmoid, ActivationGrad::kSigmoidFromY, y, g); });
  return y;
}

Tensor tanh(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_tanh, UnaryOp::kTanh, x);
  record_unary(OpId::k_tanh, x, y,
               [y](const Tensor& g) { return activation_backward(OpId::k_tanh, ActivationGrad::kTanhFromY, y, g); });
  return y;
}

namespace nn {
Tensor relu(const Tensor& x) {
  Tensor y = unary_forward(OpId::k_relu, UnaryOp::kRelu, x);
  record_unary(OpId::k_relu, x, y,
               [x](const Tensor& g) { return activation_backward(OpId::k_relu, ActivationGrad::kReluFromX, x, g); });
  return y;
}
Tensor sigmoid(const Tensor& x) { return tapeflow::sigmoid(x); }
Tensor tanh(const Tensor& x) { return tapeflow::tanh(x); }
}  // namespace nn

Tensor equal(const Tensor& a, const Tensor& b) { return compare_forward(OpId::k_equal, CompareOp::kEqual, a, b); }
Tensor not_equal(const Tensor& a, const Tensor& b) {
  return compare_forward(OpId::k_not_equal, CompareOp::kNotEqual, a, b);
}
Tensor less(const Tensor& a, const Tensor& b) { return compare_forward(OpId::k_less, CompareOp::kLess, a, b); }
Tensor less_equal(const Tensor& a, const Tensor& b) {
  return compare_forward(OpId::k_less_equal, CompareOp::kLessEqual, a, b);
}
Tensor greater(const Tensor& a, const Tensor& b) { return compare_forward(OpId::k_greater, CompareOp::kGreater, a, b); }
Tensor greater_equal(const Tensor& a, const Tensor& b) {
  return compare_forward(OpId::k_greater_equal, CompareOp::kGreaterEqual, a, b);
}

Tensor cast(const Tensor& x, DType dtype) {
  const profiler::Scope trace("op", op_name(OpId::k_cast), x);
  detail::check_defined("cast", x, "x");
  if (x.dtype() == dtype) return x;
  TAPEFLOW_CHECK(x.dtype() != DType::kString && dtype != DType::kString,
                 "cast: cannot cast {} to {} (string tensors are not numbers)", dtype_name(x.dtype()),
                 dtype_name(dtype));
  Tensor y = Tensor::empty(x.shape(), dtype, x.device());
  switch (x.device().type) {
    case DeviceType::kCPU: kernels::cpu::cast(x.dtype(), x.raw_data(), dtype, y.raw_data(), x.num_elements()); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::cast(x.device().index, x.dtype(), x.raw_data(), dtype, y.raw_data(), x.num_elements());
      break;
#endif
      detail::throw_no_cuda_kernel("cast");
  }
  return debugging::detail::checked(OpId::k_cast, y);
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, float b) { return add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, float b) { return sub(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, float b) { return mul(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, float b) { return div(a, scalar_like(b, a)); }
Tensor operator+(float a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(float a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(float a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(float a, const Tensor& b) { return div(scalar_like(a, b), b); }

}  // namespace tapeflow
