// reduce_sum / reduce_mean / reduce_max over axes, argmax; backward rules beside them.
#include "tapeflow/ops/reduction.h"

#include <algorithm>

#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "kernels/reduction.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"

namespace tapeflow {

namespace {

enum class Kind { kSum, kMax };

// The reduction as a kernel sees it: x viewed as [outer, n, inner], after moving the reduced axes
// to the end when they are not one contiguous block.
struct Plan {
  std::vector<bool> reduced;  // per input axis
  Shape keepdims_shape;       // input shape with reduced axes set to 1
  Shape out_shape;            // keepdims or not, as asked
  Tensor source;              // x, or x transposed so the reduced axes come last
  int64_t outer = 1, n = 1, inner = 1;
};

Plan plan_reduction(const char* op, const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  detail::check_dtype(op, x, DType::kFloat32, "x");
  Plan p;
  p.reduced.assign(static_cast<size_t>(x.rank()), axes.empty());
  for (int axis : axes) p.reduced[normalize_axis(axis, x.rank(), op)] = true;
  int first = -1, last = -1;
  for (int d = 0; d < x.rank(); ++d) {
    const bool r = p.reduced[d];
    p.keepdims_shape.push_back(r ? 1 : x.shape()[d]);
    if (!r || keepdims) p.out_shape.push_back(r ? 1 : x.shape()[d]);
    if (r) {
      if (first < 0) first = d;
      last = d;
    }
  }
  bool contiguous = true;
  for (int d = first; d >= 0 && d <= last; ++d) contiguous = contiguous && p.reduced[d];
  if (contiguous) {
    p.source = x;
    for (int d = 0; d < x.rank(); ++d) {
      int64_t& part = first < 0 || d < first ? p.outer : d <= last ? p.n : p.inner;
      part *= x.shape()[d];
    }
    return p;
  }
  std::vector<int> perm;
  for (int d = 0; d < x.rank(); ++d)
    if (!p.reduced[d]) perm.push_back(d);
  for (int d = 0; d < x.rank(); ++d)
    if (p.reduced[d]) perm.push_back(d);
  p.source = transpose(x, perm);
  for (int d = 0; d < x.rank(); ++d) (p.reduced[d] ? p.n : p.outer) *= x.shape()[d];
  return p;
}

Tensor reduce_forward(Kind kind, const Plan& p) {
  const Device device = p.source.device();
  Tensor out = Tensor::empty(p.out_shape, DType::kFloat32, device);
  switch (device.type) {
    case DeviceType::kCPU:
      if (kind == Kind::kSum)
        kernels::cpu::reduce_sum(p.source.data<float>(), out.data<float>(), p.outer, p.n, p.inner);
      else
        kernels::cpu::reduce_max(p.source.data<float>(), out.data<float>(), p.outer, p.n, p.inner);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      if (kind == Kind::kSum)
        kernels::cuda::reduce_sum(device.index, p.source.data<float>(), out.data<float>(), p.outer, p.n, p.inner);
      else
        kernels::cuda::reduce_max(device.index, p.source.data<float>(), out.data<float>(), p.outer, p.n, p.inner);
      break;
#endif
      detail::throw_no_cuda_kernel(kind == Kind::kSum ? "reduce_sum" : "reduce_max");
  }
  return out;
}

// g (reduced shape) stretched back over x's shape.
Tensor broadcast_back(const Tensor& g, const Shape& keepdims_shape, const Shape& x_shape) {
  return add(reshape(g, keepdims_shape), zeros(x_shape, DType::kFloat32, g.device()));
}

}  // namespace

Tensor reduce_sum(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  const profiler::Scope trace("op", op_name(OpId::k_reduce_sum), x);
  Plan p = plan_reduction("reduce_sum", x, axes, keepdims);
  Tensor out = reduce_forward(Kind::kSum, p);
  if (autodiff::should_record({&x})) {
    autodiff::record(OpId::k_reduce_sum, {x}, {out},
                     [keep = p.keepdims_shape, shape = x.shape()](const std::vector<Tensor>& g, const auto&) {
                       return std::vector<Tensor>{broadcast_back(g[0], keep, shape)};
                     });
  }
  return debugging::detail::checked(OpId::k_reduce_sum, out);
}

Tensor reduce_mean(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  const profiler::Scope trace("op", op_name(OpId::k_reduce_mean), x);
  Plan p = plan_reduction("reduce_mean", x, axes, keepdims);
  Tensor out = reduce_forward(Kind::kSum, p);
  const float scale = p.n == 0 ? std::numeric_limits<float>::quiet_NaN() : 1.f / static_cast<float>(p.n);
  {
    autodiff::NoRecordScope no_record;  // the scaling is part of this op, not a separate tape entry
    out = mul(out, fill({}, scale, out.device()));
  }
  if (autodiff::should_record({&x})) {
    autodiff::record(OpId::k_reduce_mean, {x}, {out},
                     [keep = p.keepdims_shape, shape = x.shape(), scale](const std::vector<Tensor>& g, const auto&) {
                       return std::vector<Tensor>{broadcast_back(g[0] * scale, keep, shape)};
                     });
  }
  return debugging::detail::checked(OpId::k_reduce_mean, out);
}

Tensor reduce_max(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  const profiler::Scope trace("op", op_name(OpId::k_reduce_max), x);
  Plan p = plan_reduction("reduce_max", x, axes, keepdims);
  Tensor out = reduce_forward(Kind::kMax, p);
  if (autodiff::should_record({&x})) {
    autodiff::record(OpId::k_reduce_max, {x}, {out},
                     [x, out, keep = p.keepdims_shape, axes](const std::vector<Tensor>& g, const auto&) {
                       // As TF: the gradient is split equally among the elements equal to the maximum.
                       const Tensor at_max = cast(equal(x, broadcast_back(out, keep, x.shape())), DType::kFloat32);
                       const Tensor count = reduce_sum(at_max, axes, /*keepdims=*/true);
                       return std::vector<Tensor>{at_max * broadcast_back(g[0], keep, x.shape()) / count};
                     });
  }
  return debugging::detail::checked(OpId::k_reduce_max, out);
}

Tensor argmax(const Tensor& x, int axis) {
  const profiler::Scope trace("op", op_name(OpId::k_argmax), x);
  detail::check_dtype("argmax", x, DType::kFloat32, "x");
  TAPEFLOW_CHECK(x.rank() >= 1, "argmax: expected rank >= 1, found a scalar");
  const int a = normalize_axis(axis, x.rank(), "argmax");
  TAPEFLOW_CHECK(x.shape()[a] > 0, "argmax: axis {} of {} is empty", a, x.shape());
  int64_t outer = 1, inner = 1;
  Shape out_shape;
  for (int d = 0; d < x.rank(); ++d) {
    if (d < a) outer *= x.shape()[d];
    if (d > a) inner *= x.shape()[d];
    if (d != a) out_shape.push_back(x.shape()[d]);
  }
  Tensor out = Tensor::empty(out_shape, DType::kInt64, x.device());
  switch (x.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::argmax(x.data<float>(), out.data<int64_t>(), outer, x.shape()[a], inner);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::argmax(x.device().index, x.data<float>(), out.data<int64_t>(), outer, x.shape()[a], inner);
      break;
#endif
      detail::throw_no_cuda_kernel("argmax");
  }
  return out;
}

}  // namespace tapeflow
