// dropout: a Philox mask from the seed or the global generator, applied in one pass; the backward
// applies the same mask (regenerated, never stored) to the gradient.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "kernels/dropout.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/random.h"

namespace tapeflow::nn {

namespace {

// x under the mask that `bits` addresses. The backward is this same function on the gradient, so it
// records itself and higher derivatives are exact too.
Tensor apply_mask(const Tensor& x, random::PhiloxRange bits, float rate) {
  Tensor y = Tensor::empty(x.shape(), DType::kFloat32, x.device());
  switch (x.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::dropout(x.data<float>(), y.data<float>(), x.num_elements(), bits.key, bits.counter, rate);
      break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::dropout(x.device().index, x.data<float>(), y.data<float>(), x.num_elements(), bits.key,
                             bits.counter, rate);
      break;
#endif
      detail::throw_no_cuda_kernel("dropout");
  }
  if (autodiff::should_record({&x})) {
    autodiff::record(OpId::k_dropout, {x}, {y}, [bits, rate](const std::vector<Tensor>& g, const std::vector<bool>&) {
      return std::vector<Tensor>{apply_mask(g[0], bits, rate)};
    });
  }
  return y;
}

}  // namespace

Tensor dropout(const Tensor& x, float rate, bool training, std::optional<uint64_t> seed) {
  const profiler::Scope trace("op", op_name(OpId::k_dropout), x);
  detail::check_dtype("dropout", x, DType::kFloat32, "x");
  TAPEFLOW_CHECK(rate >= 0.f && rate < 1.f, "dropout: rate must be in [0, 1), found {}", rate);
  if (!training || rate == 0.f) return x;
  // A seed is the Philox key itself (counter 0): the mask is a function of the seed and the size alone.
  const uint64_t blocks = static_cast<uint64_t>((x.num_elements() + 3) / 4);
  const random::PhiloxRange bits = seed ? random::PhiloxRange{*seed, 0} : random::reserve_global(blocks);
  return debugging::detail::checked(OpId::k_dropout, apply_mask(x, bits, rate));
}

}  // namespace tapeflow::nn
