// Op-table rows for reductions: contiguous and scattered axes, keepdims, all axes, batch 1, empty.
#include <cmath>
#include <limits>

#include "ops/op_case.h"
#include "ops/reference.h"

namespace tapeflow::testing {

namespace {

enum class Kind { kSum, kMean, kMax };

// Reduces over `axes` (all when empty) by walking every input element and its output slot.
Tensor naive_reduce(const Tensor& x, std::vector<int> axes, bool keepdims, Kind kind) {
  const Shape& s = x.shape();
  std::vector<bool> reduced(static_cast<size_t>(s.rank()), axes.empty());
  for (int a : axes) reduced[a < 0 ? a + s.rank() : a] = true;
  Shape keep, out;
  for (int d = 0; d < s.rank(); ++d) {
    keep.push_back(reduced[d] ? 1 : s[d]);
    if (!reduced[d] || keepdims) out.push_back(reduced[d] ? 1 : s[d]);
  }
  const auto in_strides = strides_of(s), keep_strides = strides_of(keep);
  const std::vector<float> v = x.numpy<float>();
  std::vector<double> acc(static_cast<size_t>(keep.num_elements()),
                          kind == Kind::kMax ? -std::numeric_limits<double>::infinity() : 0.0);
  for (int64_t i = 0; i < s.num_elements(); ++i) {
    int64_t o = 0;
    for (int d = 0; d < s.rank(); ++d)
      if (!reduced[d]) o += (i / in_strides[d] % s[d]) * keep_strides[d];
    acc[o] = kind == Kind::kMax ? std::max(acc[o], double(v[i])) : acc[o] + v[i];
  }
  const double count = double(s.num_elements()) / double(std::max<int64_t>(keep.num_elements(), 1));
  std::vector<float> result;
  for (double a : acc) result.push_back(static_cast<float>(kind == Kind::kMean ? a / count : a));
  return constant(result, out);
}

Tensor naive_argmax(const Tensor& x, int axis) {
  const Shape& s = x.shape();
  const int a = axis < 0 ? axis + s.rank() : axis;
  int64_t outer = 1, inner = 1;
  Shape out;
  for (int d = 0; d < s.rank(); ++d) {
    if (d < a) outer *= s[d];
    if (d > a) inner *= s[d];
    if (d != a) out.push_back(s[d]);
  }
  const std::vector<float> v = x.numpy<float>();
  std::vector<int64_t> result;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t k = 0; k < s[a]; ++k)
        if (v[(o * s[a] + k) * inner + i] > v[(o * s[a] + best) * inner + i]) best = k;
      result.push_back(best);
    }
  return constant(result, out);
}

struct Reduction {
  OpId op;
  Kind kind;
  Tensor (*fn)(const Tensor&, const std::vector<int>&, bool);
};

struct AxesCase {
  const char* label;
  Shape shape;
  std::vector<int> axes;
  bool keepdims;
};

}  // namespace

std::vector<OpCase> reduction_cases() {
  const Reduction reductions[] = {{OpId::k_reduce_sum, Kind::kSum, reduce_sum},
                                  {OpId::k_reduce_mean, Kind::kMean, reduce_mean},
                                  {OpId::k_reduce_max, Kind::kMax, reduce_max}};
  const AxesCase axes_cases[] = {
      {"all", {3, 7, 5}, {}, false},
      {"last", {4, 33}, {-1}, false},
      {"first_keepdims", {257, 3}, {0}, true},
      {"middle_block", {2, 3, 5, 7}, {1, 2}, false},
      {"scattered", {3, 4, 5, 2}, {0, 2}, true},
      {"batch1", {1, 9}, {1}, false},
  };
  std::vector<OpCase> c;
  for (const Reduction& r : reductions) {
    for (const AxesCase& a : axes_cases) {
      c.push_back({.op = r.op,
                   .name = std::string(op_name(r.op)) + "_" + a.label,
                   .inputs = {{.shape = a.shape, .values = r.kind == Kind::kMax ? Values::kDistinct : Values::kNormal}},
                   .run = [r, a](const std::vector<Tensor>& in) { return r.fn(in[0], a.axes, a.keepdims); },
                   .reference = [r, a](const std::vector<Tensor>& in) {
                     return naive_reduce(in[0], a.axes, a.keepdims, r.kind);
                   },
                   .forward_tolerance = 1e-6});
    }
  }
  c.push_back({.op = OpId::k_reduce_sum,
               .name = "reduce_sum_empty",
               .inputs = {{.shape = {0, 3}}},
               .run = [](const std::vector<Tensor>& in) { return reduce_sum(in[0], {0}); },
               .reference = [](const std::vector<Tensor>& in) { return naive_reduce(in[0], {0}, false, Kind::kSum); }});
  for (int axis : {0, 1, -1}) {
    c.push_back({.op = OpId::k_argmax,
                 .name = "argmax_axis" + std::to_string(axis < 0 ? 9 : axis),
                 .inputs = {{.shape = {5, 7, 3}, .values = Values::kDistinct}},
                 .run = [axis](const std::vector<Tensor>& in) { return argmax(in[0], axis); },
                 .reference = [axis](const std::vector<Tensor>& in) { return naive_argmax(in[0], axis); }});
  }
  return c;
}

}  // namespace tapeflow::testing
