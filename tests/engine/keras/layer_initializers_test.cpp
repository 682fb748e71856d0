// Weight initializers: each one's distribution against Keras's formula (fan_in 200 and fan_out 300
// differ, so a wrong fan shows), orthogonality, and seeding, for bare initializers and whole models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

enum class Kind { kUniform, kNormal, kTruncatedNormal, kConstant };

struct Expected {
  const char* name;
  Kind kind;
  double spread;  // uniform: the limit; normal: the stddev after any truncation; constant: the value
};

// Keras's formulas for a [200, 300] kernel: fan_in 200, fan_out 300.
const Expected kExpected[] = {
    {"glorot_uniform", Kind::kUniform, std::sqrt(6.0 / 500)},
    {"glorot_normal", Kind::kTruncatedNormal, std::sqrt(2.0 / 500)},
    {"he_uniform", Kind::kUniform, std::sqrt(6.0 / 200)},
    {"he_normal", Kind::kTruncatedNormal, std::sqrt(2.0 / 200)},
    {"lecun_uniform", Kind::kUniform, std::sqrt(3.0 / 200)},
    {"lecun_normal", Kind::kTruncatedNormal, std::sqrt(1.0 / 200)},
    {"random_uniform", Kind::kUniform, 0.05},
    {"random_normal", Kind::kNormal, 0.05},
    {"truncated_normal", Kind::kTruncatedNormal, 0.05 * 0.87962566103423978},
    {"zeros", Kind::kConstant, 0},
    {"ones", Kind::kConstant, 1},
};

struct Stats {
  double mean, stddev, max_abs;
};

Stats stats(const tf::Tensor& t) {
  const std::vector<float> v = t.numpy<float>();
  double sum = 0, sum_sq = 0, max_abs = 0;
  for (float x : v) {
    sum += x;
    sum_sq += double(x) * x;
    max_abs = std::max(max_abs, std::abs(double(x)));
  }
  const double mean = sum / double(v.size());
  return {mean, std::sqrt(sum_sq / double(v.size()) - mean * mean), max_abs};
}

// max |Q^T Q - I| over the columns of q [rows, cols] (rows >= cols).
double orthonormal_error(const tf::Tensor& q) {
  const std::vector<float> g = tf::matmul(q, q, true, false).numpy<float>();
  const int64_t n = q.shape()[1];
  double err = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) err = std::max(err, std::abs(g[i * n + j] - (i == j ? 1.0 : 0.0)));
  return err;
}

}  // namespace

TEST(LayerInitializers, EachFollowsItsKerasDistribution) {
  for (const Expected& e : kExpected) {
    SCOPED_TRACE(e.name);
    tf::random::set_seed(1);
    const tf::Tensor w = tf::initializers::Initializer(e.name)({200, 300});
    EXPECT_EQ(w.shape(), (tf::Shape{200, 300}));
    const Stats s = stats(w);
    if (e.kind == Kind::kConstant) {
      EXPECT_EQ(s.mean, e.spread);
      EXPECT_EQ(s.stddev, 0);
      continue;
    }
    const double stddev = e.kind == Kind::kUniform ? e.spread / std::sqrt(3.0) : e.spread;
    EXPECT_NEAR(s.mean, 0, 4 * stddev / std::sqrt(60000.0));
    EXPECT_NEAR(s.stddev / stddev, 1, 0.02);
    if (e.kind == Kind::kUniform) {
      EXPECT_LE(s.max_abs, e.spread);
      EXPECT_GT(s.max_abs, 0.999 * e.spread);
    } else if (e.kind == Kind::kTruncatedNormal) {
      EXPECT_LE(s.max_abs, 2 * stddev / 0.87962566103423978 * (1 + 1e-6));  // cut at two pre-truncation stddevs
    } else {
      EXPECT_GT(s.max_abs, 3 * stddev);  // untruncated: 60000 draws reach past 3 stddevs
    }
  }
}

TEST(LayerInitializers, ConvKernelFansIncludeTheReceptiveField) {
  // [3, 3, 16, 32]: fan_in 3 * 3 * 16 = 144, fan_out 3 * 3 * 32 = 288.
  EXPECT_EQ(tf::initializers::compute_fans({3, 3, 16, 32}), (std::pair<double, double>{144, 288}));
  tf::random::set_seed(2);
  const Stats s = stats(tf::initializers::Initializer("he_uniform")({3, 3, 16, 32}));
  EXPECT_LE(s.max_abs, std::sqrt(6.0 / 144));
  EXPECT_GT(s.max_abs, 0.99 * std::sqrt(6.0 / 144));
}

TEST(LayerInitializers, OrthogonalGivesOrthonormalColumnsOrRows) {
  tf::random::set_seed(3);
  const tf::initializers::Initializer orthogonal("orthogonal");
  EXPECT_LT(orthonormal_error(orthogonal({40, 40})), 1e-5);
  EXPECT_LT(orthonormal_error(orthogonal({50, 8})), 1e-5);                         // tall: Q^T Q = I
  EXPECT_LT(orthonormal_error(tf::transpose(orthogonal({8, 50}))), 1e-5);          // wide: Q Q^T = I
  EXPECT_LT(orthonormal_error(tf::reshape(orthogonal({3, 3, 4, 6}), {36, 6})), 1e-5);  // flattened to [36, 6]
}

TEST(LayerInitializers, SeedingReproducesEveryDraw) {
  for (const Expected& e : kExpected) {
    SCOPED_TRACE(e.name);
    tf::random::set_seed(5);
    const std::vector<float> a = tf::initializers::Initializer(e.name)({30, 20}).numpy<float>();
    tf::random::set_seed(5);
    EXPECT_EQ(tf::initializers::Initializer(e.name)({30, 20}).numpy<float>(), a);
    tf::random::set_seed(6);
    if (e.kind != Kind::kConstant) {
      EXPECT_NE(tf::initializers::Initializer(e.name)({30, 20}).numpy<float>(), a);
    }
  }
}

TEST(LayerInitializers, UnknownNamesListTheKnownOnes) {
  try {
    tf::initializers::Initializer("glorot");
    FAIL() << "no error";
  } catch (const tf::Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("unknown initializer 'glorot' (expected one of: glorot_normal, ", 0), 0u)
        << e.what();
  }
}

TEST(LayerInitializers, SetSeedTwiceGivesAModelTheSameWeights) {
  auto weights = [](uint64_t seed) {
    tf::random::set_seed(seed);
    tf::Sequential model({
        tf::layers::Embedding({.input_dim = 20, .output_dim = 4}),
        tf::layers::LSTM({.units = 3}),
        tf::layers::Dense({.units = 2, .kernel_initializer = "he_normal"}),
    });
    model.build({-1, 5});
    std::vector<std::vector<float>> values;
    for (const tf::Variable& v : model.variables()) values.push_back(v.numpy<float>());
    return values;
  };
  const auto first = weights(42);
  EXPECT_EQ(first.size(), 6u);  // embeddings; lstm kernel, recurrent_kernel, bias; dense kernel, bias
  EXPECT_EQ(weights(42), first);
  EXPECT_NE(weights(43), first);
}
