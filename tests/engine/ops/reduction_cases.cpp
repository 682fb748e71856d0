// Op-table rows for reductions: contiguous and scattered axes, keepdims, all axes, batch 1, empty,
// shapes that make the kernel split rows into chunks; then the checks the table cannot make.
#include <gtest/gtest.h>
#include <omp.h>

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
      {"size1_axis", {7, 1, 3}, {1}, false},
      {"negative_pair_keepdims", {2, 3, 7}, {-1, -3}, true},
      {"scalar", {}, {}, false},
      {"wide_inner", {300, 257}, {0}, true},     // two column blocks, rows split into chunks
      {"long_rows", {3, 40000}, {1}, false},     // contiguous runs split into chunks, threaded
      {"long_columns", {40000, 3}, {0}, false},  // few outputs: rows split into chunks
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
  c.push_back({.op = OpId::k_reduce_mean,
               .name = "reduce_mean_empty_rows",
               .inputs = {{.shape = {0, 5}}},
               .run = [](const std::vector<Tensor>& in) { return reduce_mean(in[0], {1}); },
               .reference = [](const std::vector<Tensor>& in) { return naive_reduce(in[0], {1}, false, Kind::kMean); }});
  struct ArgmaxCase {
    const char* label;
    Shape shape;
    int axis;
  };
  const ArgmaxCase argmax_cases[] = {{"axis0", {5, 7, 3}, 0},          {"axis1", {5, 7, 3}, 1},
                                     {"last", {5, 7, 3}, -1},          {"batch1", {1, 10}, -1},
                                     {"wide_inner", {4, 5, 300}, 1},   {"long_rows", {3, 40000}, 1},
                                     {"rank1", {257}, 0}};
  for (const ArgmaxCase& a : argmax_cases) {
    c.push_back({.op = OpId::k_argmax,
                 .name = std::string("argmax_") + a.label,
                 .inputs = {{.shape = a.shape, .values = Values::kDistinct}},
                 .run = [axis = a.axis](const std::vector<Tensor>& in) { return argmax(in[0], axis); },
                 .reference = [axis = a.axis](const std::vector<Tensor>& in) { return naive_argmax(in[0], axis); }});
  }
  return c;
}


// What the table cannot check: finite differences are one-sided at a tie, so the equal split of
// reduce_max's gradient among tied maxima (as TF) is checked by hand; ties in argmax pick the first.
TEST(Reductions, TiedMaximaShareTheGradient) {
  const Tensor x = constant<float>({{1, 3, 3}, {2, 2, 2}, {5, -1, 0}});
  GradientTape tape;
  tape.watch(x);
  const Tensor y = reduce_max(x, {1});
  EXPECT_EQ(y.numpy<float>(), (std::vector<float>{3, 2, 5}));
  const Tensor g = tape.gradient(reduce_sum(y * constant<float>({1, 3, 6})), {x})[0];
  EXPECT_EQ(g.numpy<float>(), (std::vector<float>{0, 0.5f, 0.5f, 1, 1, 1, 6, 0, 0}));
  EXPECT_EQ(argmax(x, 1).numpy<int64_t>(), (std::vector<int64_t>{1, 0, 0}));
  EXPECT_EQ(argmax(x, 0).numpy<int64_t>(), (std::vector<int64_t>{2, 0, 0}));
}

TEST(Reductions, MaxPropagatesNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t n : {5, 40000}) {  // one run, and a run split into chunks
    std::vector<float> v(static_cast<size_t>(n), 1.f);
    v[static_cast<size_t>(n / 2)] = nan;
    EXPECT_TRUE(std::isnan(reduce_max(constant(v, {n})).item<float>())) << n;
    EXPECT_TRUE(std::isnan(reduce_max(constant(v, {n, 1}), {0}).numpy<float>()[0])) << n;
  }
}

// Work is cut by shape, never by thread count: sums are bit-identical for any number of threads.
TEST(Reductions, SumsDoNotDependOnTheThreadCount) {
  const Tensor x = random::normal({3, 257, 97}, 0.f, 1.f, 11);
  const int threads = omp_get_max_threads();
  std::vector<std::vector<float>> runs;
  for (int t : {1, 2, 3}) {
    omp_set_num_threads(t);
    std::vector<float> run;
    for (const Tensor& r : {reduce_sum(x), reduce_sum(x, {1}), reduce_sum(x, {0, 2}), reduce_mean(x, {-1})})
      for (float v : r.numpy<float>()) run.push_back(v);
    runs.push_back(run);
  }
  omp_set_num_threads(threads);
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
}

}  // namespace tapeflow::testing
