// matmul: forward dispatch to the GEMM kernel and its backward rule (written with matmul itself, so
// second derivatives work).
#include "tapeflow/ops/linalg.h"

#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "engine/ops/broadcast.h"
#include "kernels/matmul.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/runtime.h"

namespace tapeflow {

namespace {

// Rows and columns of op(X) for the last two dims of x.
std::pair<int64_t, int64_t> op_dims(const Shape& s, bool transpose) {
  const int64_t rows = s[s.rank() - 2], cols = s[s.rank() - 1];
  return transpose ? std::pair{cols, rows} : std::pair{rows, cols};
}

Shape batch_dims(const Shape& s) { return Shape(s.dims().first(s.rank() - 2)); }

// The runtime settings (tapeflow/runtime.h) as the kernel's options.
[[maybe_unused]] kernels::cuda::MatmulOptions cuda_matmul_options() {
  return {cuda_matmul() == CudaMatmul::kTiled ? kernels::cuda::Gemm::kTiled : kernels::cuda::Gemm::kCublas,
          tensor_float32_execution_enabled()};
}

Tensor matmul_kernel(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const auto [m, k] = op_dims(a.shape(), ta);
  const auto [kb, n] = op_dims(b.shape(), tb);
  TAPEFLOW_CHECK(k == kb, "matmul: inner dimensions differ: a is {}{}, b is {}{}", a.shape(),
                 ta ? " (transposed)" : "", b.shape(), tb ? " (transposed)" : "");
  const Shape a_batch = batch_dims(a.shape()), b_batch = batch_dims(b.shape());
  TAPEFLOW_CHECK(a_batch == b_batch || a_batch.rank() == 0 || b_batch.rank() == 0,
                 "matmul: batch dimensions differ: a is {}, b is {} (expected equal leading dims, or a rank-2 "
                 "operand)",
                 a.shape(), b.shape());
  Shape out_shape = a_batch.rank() ? a_batch : b_batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  const int64_t batch = std::max(a_batch.num_elements(), b_batch.num_elements());
  Tensor out = Tensor::empty(out_shape, DType::kFloat32, a.device());
  switch (a.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::matmul(ta, tb, batch, m, n, k, a.data<float>(), a_batch.rank() ? m * k : 0, b.data<float>(),
                           b_batch.rank() ? k * n : 0, out.data<float>());
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::matmul(a.device().index, ta, tb, batch, m, n, k, a.data<float>(), a_batch.rank() ? m * k : 0,
                            b.data<float>(), b_batch.rank() ? k * n : 0, out.data<float>(), cuda_matmul_options());
      break;
#else
      detail::throw_no_cuda_kernel("matmul");
#endif
  }
  return out;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  const profiler::Scope trace("op", op_name(OpId::k_matmul), a);
  detail::check_dtype("matmul", a, DType::kFloat32, "a");
  detail::check_dtype("matmul", b, DType::kFloat32, "b");
  detail::check_same_device("matmul", a, b);
  TAPEFLOW_CHECK(a.rank() >= 2 && b.rank() >= 2, "matmul: expected operands of rank >= 2, found a {} and b {}",
                 a.shape(), b.shape());

  // A batch of rows times one matrix is one big GEMM: fold the batch into M.
  if (a.rank() > 2 && b.rank() == 2 && !transpose_a) {
    const int64_t k = a.shape()[a.rank() - 1];
    Shape out_shape = Shape(a.shape().dims().first(a.rank() - 1));
    const Tensor folded = matmul(reshape(a, {-1, k}), b, false, transpose_b);
    out_shape.push_back(folded.shape()[1]);
    return reshape(folded, out_shape);
  }

  Tensor out = matmul_kernel(a, b, transpose_a, transpose_b);
  if (autodiff::should_record({&a, &b})) {
    autodiff::record(OpId::k_matmul, {a, b}, {out},
                     [a, b, transpose_a, transpose_b](const std::vector<Tensor>& grads, const std::vector<bool>& need) {
                       const Tensor& g = grads[0];
                       Tensor ga, gb;
                       if (need[0]) {
                         ga = !transpose_a ? matmul(g, b, false, !transpose_b)
                                           : matmul(b, g, transpose_b, true);
                         ga = detail::sum_to_shape(ga, a.shape());
                       }
                       if (need[1]) {
                         gb = !transpose_b ? matmul(a, g, !transpose_a, false)
                                           : matmul(g, a, true, transpose_a);
                         gb = detail::sum_to_shape(gb, b.shape());
                       }
                       return std::vector<Tensor>{ga, gb};
                     });
  }
  return debugging::detail::checked(OpId::k_matmul, out);
}

}  // namespace tapeflow
