// Shape and indexing ops with their backward rules: reshape, transpose, concat, slice, gather,
// one_hot, and the composites flatten, expand_dims, squeeze, stack.
#include "tapeflow/ops/array.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "engine/tensor_internal.h"
#include "kernels/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/runtime.h"

namespace tapeflow {

namespace {

void check_movable(const char* op, const Tensor& x) {
  detail::check_defined(op, x, "the input");
  TAPEFLOW_CHECK(x.dtype() != DType::kString, "{}: string tensors are not supported", op);
}

// "[2, *]": the shape with a wildcard along axis, for messages.
std::string shape_with_wildcard(const Shape& s, int axis) {
  std::vector<std::string> dims;
  for (int d = 0; d < s.rank(); ++d) dims.push_back(d == axis ? "*" : std::to_string(s[d]));
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

// A [begin, begin + size) box along every dim of x, checked.
struct Box {
  std::vector<int64_t> begin, size;
};

Tensor slice_box(const Tensor& x, const Box& box);

// dx = zeros(x.shape) with g pasted into the box.
Tensor paste_into_zeros(const Tensor& g, const Shape& shape, const std::vector<int64_t>& begin) {
  Tensor dx = zeros(shape, g.dtype(), g.device());
  switch (g.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::paste_box(g.raw_data(), dx.raw_data(), dtype_size(g.dtype()), shape.rank(), shape.begin(),
                              begin.data(), g.shape().begin());
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::paste_box(g.device().index, g.raw_data(), dx.raw_data(), dtype_size(g.dtype()), shape.rank(),
                               shape.begin(), begin.data(), g.shape().begin());
      break;
#endif
      detail::throw_no_cuda_kernel("slice (backward)");
  }
  return dx;
}

Tensor slice_box(const Tensor& x, const Box& box) {
  Tensor out = Tensor::empty(Shape(box.size), x.dtype(), x.device());
  switch (x.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::copy_box(x.raw_data(), out.raw_data(), dtype_size(x.dtype()), x.rank(), x.shape().begin(),
                             box.begin.data(), box.size.data());
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::copy_box(x.device().index, x.raw_data(), out.raw_data(), dtype_size(x.dtype()), x.rank(),
                              x.shape().begin(), box.begin.data(), box.size.data());
      break;
#endif
      detail::throw_no_cuda_kernel("slice");
  }
  if (autodiff::should_record({&x})) {
    const Shape shape = x.shape();
    autodiff::record(OpId::k_slice, {x}, {out}, [shape, begin = box.begin](const std::vector<Tensor>& g, const auto&) {
      // The backward of slice is a paste, and the backward of the paste is the same slice.
      return std::vector<Tensor>{paste_into_zeros(g[0], shape, begin)};
    });
  }
  return out;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  const profiler::Scope trace("op", op_name(OpId::k_reshape), x);
  detail::check_defined("reshape", x, "the input");
  Shape target = shape;
  int inferred = -1;
  int64_t known = 1;
  for (int i = 0; i < target.rank(); ++i) {
    if (target[i] == -1) {
      TAPEFLOW_CHECK(inferred < 0, "reshape: at most one dimension may be -1, found shape {}", shape);
      inferred = i;
    } else {
      TAPEFLOW_CHECK(target[i] >= 0, "reshape: dimension {} of {} is negative", i, shape);
      known *= target[i];
    }
  }
  const int64_t n = x.num_elements();
  if (inferred >= 0) {
    TAPEFLOW_CHECK(known > 0 && n % known == 0, "reshape: cannot reshape {} ({} elements) into {}", x.shape(), n,
                   shape);
    target[inferred] = n / known;
  }
  TAPEFLOW_CHECK(target.num_elements() == n, "reshape: cannot reshape {} ({} elements) into {}", x.shape(), n, shape);
  Tensor out = detail::view(x, target);
  if (autodiff::should_record({&x})) {
    const Shape from = x.shape();
    autodiff::record(OpId::k_reshape, {x}, {out}, [from](const std::vector<Tensor>& g, const std::vector<bool>&) {
      return std::vector<Tensor>{reshape(g[0], from)};
    });
  }
  return debugging::detail::checked(OpId::k_reshape, out);
}

Tensor flatten(const Tensor& x) {
  detail::check_defined("flatten", x, "the input");
  TAPEFLOW_CHECK(x.rank() >= 1, "flatten: expected a batch dimension, found a scalar");
  int64_t features = 1;  // a product, not num_elements / batch: an empty batch keeps [0, features]
  for (int d = 1; d < x.rank(); ++d) features *= x.shape()[d];
  return reshape(x, {x.shape()[0], features});
}

Tensor expand_dims(const Tensor& x, int axis) {
  detail::check_defined("expand_dims", x, "the input");
  const int a = normalize_axis(axis, x.rank() + 1, "expand_dims");
  std::vector<int64_t> dims = x.shape().to_vector();
  dims.insert(dims.begin() + a, 1);
  return reshape(x, Shape(dims));
}

Tensor squeeze(const Tensor& x, const std::vector<int>& axes) {
  detail::check_defined("squeeze", x, "the input");
  std::vector<bool> drop(static_cast<size_t>(x.rank()), false);
  for (int axis : axes) {
    const int a = normalize_axis(axis, x.rank(), "squeeze");
    TAPEFLOW_CHECK(x.shape()[a] == 1, "squeeze: dimension {} of {} is {}, not 1", a, x.shape(), x.shape()[a]);
    drop[a] = true;
  }
  Shape out;
  for (int i = 0; i < x.rank(); ++i)
    if (!(axes.empty() ? x.shape()[i] == 1 : drop[i])) out.push_back(x.shape()[i]);
  return reshape(x, out);
}

Tensor transpose(const Tensor& x, const std::vector<int>& perm_in) {
  const profiler::Scope trace("op", op_name(OpId::k_transpose), x);
  check_movable("transpose", x);
  std::vector<int> perm = perm_in;
  if (perm.empty()) {
    perm.resize(static_cast<size_t>(x.rank()));
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  TAPEFLOW_CHECK(static_cast<int>(perm.size()) == x.rank(), "transpose: perm has {} entries, the input {} has rank {}",
                 perm.size(), x.shape(), x.rank());
  std::vector<bool> used(perm.size(), false);
  Shape out_shape;
  for (int p : perm) {
    TAPEFLOW_CHECK(p >= 0 && p < x.rank() && !used[p], "transpose: perm [{}] is not a permutation of 0..{}",
                   fmt::join(perm, ", "), x.rank() - 1);
    used[p] = true;
    out_shape.push_back(x.shape()[p]);
  }
  Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
  switch (x.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::permute(x.raw_data(), out.raw_data(), dtype_size(x.dtype()), x.rank(), x.shape().begin(),
                            perm.data());
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::permute(x.device().index, x.raw_data(), out.raw_data(), dtype_size(x.dtype()), x.rank(),
                             x.shape().begin(), perm.data());
      break;
#endif
      detail::throw_no_cuda_kernel("transpose");
  }
  if (autodiff::should_record({&x})) {
    std::vector<int> inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int>(i);
    autodiff::record(OpId::k_transpose, {x}, {out}, [inverse](const std::vector<Tensor>& g, const std::vector<bool>&) {
      return std::vector<Tensor>{transpose(g[0], inverse)};
    });
  }
  return debugging::detail::checked(OpId::k_transpose, out);
}

Tensor concat(const std::vector<Tensor>& values, int axis) {
  const profiler::Scope trace("op", op_name(OpId::k_concat), values.empty() ? Tensor() : values.front());
  TAPEFLOW_CHECK(!values.empty(), "concat: expected at least one tensor, found none");
  const Tensor& first = values[0];
  check_movable("concat", first);
  const int a = normalize_axis(axis, first.rank(), "concat");
  Shape out_shape = first.shape();
  out_shape[a] = 0;
  int64_t outer = 1;
  for (int i = 0; i < a; ++i) outer *= first.shape()[i];
  std::vector<const void*> sources;
  std::vector<int64_t> chunk_bytes;
  for (size_t i = 0; i < values.size(); ++i) {
    const Tensor& v = values[i];
    check_movable("concat", v);
    detail::check_same_device("concat", first, v);
    TAPEFLOW_CHECK(v.dtype() == first.dtype(), "concat: input {} is {}, expected {} like input 0", i,
                   dtype_name(v.dtype()), dtype_name(first.dtype()));
    bool compatible = v.rank() == first.rank();
    for (int d = 0; compatible && d < v.rank(); ++d) compatible = d == a || v.shape()[d] == first.shape()[d];
    TAPEFLOW_CHECK(compatible, "concat: input {} has shape {}, expected {} like input 0 (any size along axis {})", i,
                   v.shape(), shape_with_wildcard(first.shape(), a), a);
    out_shape[a] += v.shape()[a];
    sources.push_back(v.raw_data());
    chunk_bytes.push_back(outer == 0 ? 0 : static_cast<int64_t>(v.nbytes()) / outer);
  }
  Tensor out = Tensor::empty(out_shape, first.dtype(), first.device());
  switch (first.device().type) {
    case DeviceType::kCPU: kernels::cpu::concat_rows(sources, chunk_bytes, outer, out.raw_data()); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::concat_rows(first.device().index, sources, chunk_bytes, outer, out.raw_data());
      break;
#endif
      detail::throw_no_cuda_kernel("concat");
  }
  if (autodiff::should_record(values)) {
    std::vector<Shape> shapes;
    for (const Tensor& v : values) shapes.push_back(v.shape());
    autodiff::record(OpId::k_concat, values, {out}, [shapes, a](const std::vector<Tensor>& g, const std::vector<bool>& need) {
      std::vector<Tensor> grads(shapes.size());
      int64_t offset = 0;
      for (size_t i = 0; i < shapes.size(); ++i) {
        if (need[i]) {
          std::vector<int64_t> begin(static_cast<size_t>(shapes[i].rank()), 0);
          begin[a] = offset;
          grads[i] = slice(g[0], begin, shapes[i].to_vector());
        }
        offset += shapes[i][a];
      }
      return grads;
    });
  }
  return debugging::detail::checked(OpId::k_concat, out);
}

Tensor stack(const std::vector<Tensor>& values, int axis) {
  TAPEFLOW_CHECK(!values.empty(), "stack: expected at least one tensor, found none");
  const int a = normalize_axis(axis, values[0].rank() + 1, "stack");
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < values.size(); ++i) {
    detail::check_defined("stack", values[i], "an input");
    TAPEFLOW_CHECK(values[i].shape() == values[0].shape(), "stack: input {} has shape {}, expected {} like input 0", i,
                   values[i].shape(), values[0].shape());
    expanded.push_back(expand_dims(values[i], a));
  }
  return concat(expanded, a);
}

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size) {
  const profiler::Scope trace("op", op_name(OpId::k_slice), x);
  check_movable("slice", x);
  TAPEFLOW_CHECK(static_cast<int>(begin.size()) == x.rank() && static_cast<int>(size.size()) == x.rank(),
                 "slice: begin [{}] and size [{}] must have one entry per dim of {}", fmt::join(begin, ", "),
                 fmt::join(size, ", "), x.shape());
  Box box{begin, size};
  for (int d = 0; d < x.rank(); ++d) {
    TAPEFLOW_CHECK(size[d] >= -1, "slice: size {} in dim {} is negative (only -1, meaning the rest, is allowed)",
                   size[d], d);
    if (box.size[d] == -1) box.size[d] = x.shape()[d] - begin[d];
    TAPEFLOW_CHECK(begin[d] >= 0 && box.size[d] >= 0 && begin[d] + box.size[d] <= x.shape()[d],
                   "slice: begin [{}] size [{}] spans [{}, {}) in dim {}, outside [0, {}) of the input {}",
                   fmt::join(begin, ", "), fmt::join(size, ", "), begin[d], begin[d] + box.size[d], d, x.shape()[d],
                   x.shape());
  }
  return debugging::detail::checked(OpId::k_slice, slice_box(x, box));
}

Tensor gather(const Tensor& params, const Tensor& indices, int axis) {
  const profiler::Scope trace("op", op_name(OpId::k_gather), params);
  check_movable("gather", params);
  detail::check_defined("gather", indices, "indices");
  detail::check_same_device("gather", params, indices);
  TAPEFLOW_CHECK(indices.dtype() == DType::kInt32 || indices.dtype() == DType::kInt64,
                 "gather: expected int32 or int64 indices, found {}", dtype_name(indices.dtype()));
  TAPEFLOW_CHECK(params.rank() >= 1, "gather: params must have rank >= 1, found a scalar");
  const int a = normalize_axis(axis, params.rank(), "gather");
  const Tensor index = cast(indices, DType::kInt64);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < a; ++d) outer *= params.shape()[d];
  for (int d = a + 1; d < params.rank(); ++d) inner *= params.shape()[d];
  const int64_t n = params.shape()[a], m = index.num_elements();
  Shape out_shape;
  for (int d = 0; d < a; ++d) out_shape.push_back(params.shape()[d]);
  for (int64_t d : indices.shape()) out_shape.push_back(d);
  for (int d = a + 1; d < params.rank(); ++d) out_shape.push_back(params.shape()[d]);
  Tensor out = Tensor::empty(out_shape, params.dtype(), params.device());
  int64_t bad = -1;
  switch (params.device().type) {
    case DeviceType::kCPU:
      bad = kernels::cpu::gather(params.raw_data(), index.data<int64_t>(), out.raw_data(), dtype_size(params.dtype()),
                                 outer, n, inner, m);
      break;
    case DeviceType::kCUDA: {
#ifdef TAPEFLOW_WITH_CUDA
      // A bad index is thrown by the next read from the device (kernels/cuda/bad_input.cuh).
      kernels::cuda::gather(params.device().index, params.raw_data(), index.data<int64_t>(), out.raw_data(),
                            dtype_size(params.dtype()), outer, n, inner, m);
      break;
#endif
      detail::throw_no_cuda_kernel("gather");
    }
  }
  TAPEFLOW_CHECK(bad < 0, "gather: index {} at position {} is out of range [0, {}) for params {} along axis {}",
                 bad < 0 ? 0 : index.to(Device::cpu()).data<int64_t>()[bad], bad, n, params.shape(), a);
  if (autodiff::should_record({&params})) {
    const Shape shape = params.shape();
    autodiff::record(OpId::k_gather, {params, indices}, {out},
                     [shape, index, outer, n, inner, m](const std::vector<Tensor>& g, const std::vector<bool>& need) {
                       if (!need[0]) return std::vector<Tensor>{Tensor(), Tensor()};
                       autodiff::require_first_order(OpId::k_gather, {&g[0]});
                       Tensor dparams = zeros(shape, DType::kFloat32, g[0].device());
                       switch (g[0].device().type) {
                         case DeviceType::kCPU:
                           kernels::cpu::scatter_add(g[0].data<float>(), index.data<int64_t>(), dparams.data<float>(),
                                                     outer, n, inner, m);
                           break;
                         case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
                           kernels::cuda::scatter_add(g[0].device().index, g[0].data<float>(), index.data<int64_t>(),
                                                      dparams.data<float>(), outer, n, inner, m,
                                                      op_determinism_enabled());
                           break;
#endif
                           detail::throw_no_cuda_kernel("gather (backward)");
                       }
                       return std::vector<Tensor>{dparams, Tensor()};
                     });
  }
  return debugging::detail::checked(OpId::k_gather, out);
}

Tensor one_hot(const Tensor& indices, int64_t depth, float on_value, float off_value) {
  const profiler::Scope trace("op", op_name(OpId::k_one_hot), indices);
  detail::check_defined("one_hot", indices, "indices");
  TAPEFLOW_CHECK(indices.dtype() == DType::kInt32 || indices.dtype() == DType::kInt64 ||
                     indices.dtype() == DType::kUInt8,
                 "one_hot: expected integer indices, found {}", dtype_name(indices.dtype()));
  TAPEFLOW_CHECK(depth >= 0, "one_hot: depth must be >= 0, found {}", depth);
  const Tensor index = cast(indices, DType::kInt64);
  Shape out_shape = indices.shape();
  out_shape.push_back(depth);
  Tensor out = Tensor::empty(out_shape, DType::kFloat32, indices.device());
  switch (indices.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::one_hot(index.data<int64_t>(), out.data<float>(), index.num_elements(), depth, on_value, off_value);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::one_hot(indices.device().index, index.data<int64_t>(), out.data<float>(), index.num_elements(),
                             depth, on_value, off_value);
      break;
#endif
      detail::throw_no_cuda_kernel("one_hot");
  }
  return debugging::detail::checked(OpId::k_one_hot, out);
}

}  // namespace tapeflow
