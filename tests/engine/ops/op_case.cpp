#include "ops/op_case.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tapeflow::testing {

Tensor make_input(const InputSpec& spec, uint64_t seed) {
  const Shape& s = spec.shape;
  switch (spec.values) {
    case Values::kNormal: return random::normal(s, 0.f, 1.f, seed);
    case Values::kPositive: return random::uniform(s, 0.5f, 2.f, seed);
    case Values::kAwayFromZero: {
      const Tensor magnitude = random::uniform(s, 0.2f, 1.2f, seed);
      const Tensor sign = cast(greater(random::uniform(s, 0.f, 1.f, seed + 1), fill({}, 0.5f)), DType::kFloat32);
      return magnitude * (sign * 2.f - 1.f);
    }
    case Values::kDistinct:
    case Values::kDistinctHalfStep: {
      const int64_t n = s.num_elements();
      const std::vector<int64_t> keys = random::uniform_int({n}, 0, std::numeric_limits<int64_t>::max(), seed).numpy<int64_t>();
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b]; });
      std::vector<float> values(static_cast<size_t>(n));
      const float shift = spec.values == Values::kDistinctHalfStep ? 0.025f : 0.f;
      for (int64_t i = 0; i < n; ++i) values[order[i]] = 0.05f * static_cast<float>(i - n / 2) + shift;
      return constant(values, s);
    }
    case Values::kIndex: {
      const Tensor idx = random::uniform_int(s, 0, spec.index_limit, seed);
      return spec.dtype == DType::kInt64 ? idx : cast(idx, spec.dtype);
    }
  }
  return {};
}

double relative_error(const Tensor& got, const Tensor& want) {
  if (got.shape() != want.shape()) return std::numeric_limits<double>::infinity();
  const std::vector<float> g = cast(got, DType::kFloat32).numpy<float>();
  const std::vector<float> w = cast(want, DType::kFloat32).numpy<float>();
  double diff = 0, norm = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    if (!std::isfinite(g[i]) || !std::isfinite(w[i])) return std::numeric_limits<double>::infinity();
    diff += (double(g[i]) - w[i]) * (double(g[i]) - w[i]);
    norm += double(w[i]) * w[i];
  }
  if (norm == 0) return std::sqrt(diff);
  return std::sqrt(diff / norm);
}

}  // namespace tapeflow::testing
