// dropout: a Philox mask, seeded or from the global generator; the backward applies the same mask.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "kernels/dropout.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/random.h"

namespace tapeflow::nn {

Tensor dropout(const Tensor& x, float rate, bool training, std::optional<uint64_t> seed) {
  detail::check_dtype("dropout", x, DType::kFloat32, "x");
  TAPEFLOW_CHECK(rate >= 0.f && rate < 1.f, "dropout: rate must be in [0, 1), found {}", rate);
  if (!training || rate == 0.f) return x;
  const int64_t n = x.num_elements();
  const uint64_t blocks = static_cast<uint64_t>((n + 3) / 4);
  const random::PhiloxRange range = seed ? random::PhiloxRange{*seed ^ 0x5DEECE66Dull, 0} : random::reserve_global(blocks);
  Tensor mask = Tensor::empty(x.shape(), DType::kFloat32, Device::cpu());
  kernels::cpu::dropout_mask(mask.data<float>(), n, range.key, range.counter, rate);
  mask = mask.to(x.device());
  Tensor y;
  {
    autodiff::NoRecordScope no_record;  // recorded below as one dropout entry
    y = mul(x, mask);
  }
  if (autodiff::should_record({&x})) {
    autodiff::record(OpId::k_dropout, {x}, {y}, [mask](const std::vector<Tensor>& g, const std::vector<bool>&) {
      return std::vector<Tensor>{mul(g[0], mask)};
    });
  }
  return y;
}

}  // namespace tapeflow::nn
