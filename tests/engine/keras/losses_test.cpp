// Keras losses against hand-computed values: clipping at probabilities 0 and 1, logits vs probabilities,
// label dtypes and shapes, reductions, finite gradients, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

// Keras clips to [eps, 1 - eps] in float32.
const double kLo = 1e-7f;
const double kHi = 1.f - 1e-7f;

void expect_values(const tf::Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<float> got = t.numpy<float>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "element " << i;
}

void expect_finite(const tf::Tensor& t) {
  for (float x : t.numpy<float>()) EXPECT_TRUE(std::isfinite(x)) << t;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const tf::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Losses, SparseCategoricalCrossentropyOnProbabilities) {
  const tf::Tensor p = tf::constant({{0.1f, 0.6f, 0.3f}, {0.2f, 0.2f, 0.6f}});
  const std::vector<double> expected = {-std::log(0.6), -std::log(0.6)};
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({1, 2}), p), expected);   // int32
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant<int64_t>({1, 2}), p), expected);
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({1.f, 2.f}), p), expected);  // float
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({{1}, {2}}), p), expected);  // [N, 1]
}

TEST(Losses, SparseCategoricalCrossentropyClipsAndNormalisesLikeKeras) {
  // The true class has probability 0: clipped to 1e-7, and the clipped row is renormalised by the
  // fused softmax (as tf.keras's log-then-sparse_softmax_cross_entropy does).
  const tf::Tensor p = tf::constant({{0.f, 1.f, 0.f}, {0.f, 1.f, 0.f}});
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({0, 1}), p),
                {-std::log(kLo / (kLo + kHi + kLo)), -std::log(kHi / (kLo + kHi + kLo))}, 1e-5);
  // A row that does not sum to 1 is normalised: [0.1, 0.2, 0.1] -> [0.25, 0.5, 0.25]. Clipping comes first, so
  // values above 1 are not "probabilities" ([1, 2, 1] clips to thirds).
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({1}), tf::constant({{0.1f, 0.2f, 0.1f}})),
                {-std::log(0.5)});
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({1}), tf::constant({{1.f, 2.f, 1.f}})),
                {std::log(3.0)});
}

TEST(Losses, FromLogitsAgreesWithProbabilities) {
  const tf::Tensor logits = tf::constant({{2.f, -1.f, 0.5f, 0.f}, {-3.f, 4.f, 1.f, 1.f}, {0.f, 0.f, 0.f, 0.f}});
  const tf::Tensor probs = tf::nn::softmax(logits);
  const tf::Tensor labels = tf::constant({0, 3, 2});
  const std::vector<float> a = tf::losses::sparse_categorical_crossentropy(labels, logits, true).numpy<float>();
  expect_values(tf::losses::sparse_categorical_crossentropy(labels, probs), {a.begin(), a.end()}, 1e-5);
  // Hand value for the first row: logsumexp(2, -1, 0.5, 0) - 2.
  const double lse = std::log(std::exp(2.0) + std::exp(-1.0) + std::exp(0.5) + 1.0);
  EXPECT_NEAR(a[0], lse - 2.0, 1e-6);

  const tf::Tensor one_hot = tf::one_hot(labels, 4);
  expect_values(tf::losses::categorical_crossentropy(one_hot, logits, true), {a.begin(), a.end()}, 1e-5);
  expect_values(tf::losses::categorical_crossentropy(one_hot, probs), {a.begin(), a.end()}, 1e-5);
}

TEST(Losses, LogitsPathsAreStableForHugeLogits) {
  const tf::Tensor logits = tf::constant({{1000.f, -1000.f, 0.f}});
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({0}), logits, true), {0.0});
  expect_values(tf::losses::sparse_categorical_crossentropy(tf::constant({1}), logits, true), {2000.0});
  expect_values(tf::losses::categorical_crossentropy(tf::constant({{0.f, 1.f, 0.f}}), logits, true), {2000.0});
  // Binary: max(x, 0) - x z + log(1 + exp(-|x|)); z = 1 at x = -100 costs 100, z = 0 at x = 100 costs 100.
  expect_values(tf::losses::binary_crossentropy(tf::constant({{1.f, 0.f, 1.f, 0.f}}),
                                                tf::constant({{-100.f, 100.f, 100.f, -100.f}}), true),
                {(100.0 + 100.0 + 0.0 + 0.0) / 4});
}

TEST(Losses, CategoricalCrossentropyOnProbabilities) {
  auto cce = [](std::initializer_list<float> y_true, std::initializer_list<float> y_pred) {
    return tf::losses::categorical_crossentropy(tf::constant({y_true}), tf::constant({y_pred}));
  };
  expect_values(cce({0.f, 1.f, 0.f}, {0.2f, 0.7f, 0.1f}), {-std::log(0.7)});
  // Soft targets.
  expect_values(cce({0.5f, 0.5f, 0.f}, {0.2f, 0.7f, 0.1f}), {-(0.5 * std::log(0.2) + 0.5 * std::log(0.7))});
  // Probability 0 on the target: clipped to 1e-7, so -log(1e-7) instead of infinity.
  expect_values(cce({1.f, 0.f, 0.f}, {0.f, 1.f, 0.f}), {-std::log(kLo)}, 1e-5);
  // Rows are normalised first: [2, 6, 2] is [0.2, 0.6, 0.2].
  expect_values(cce({0.f, 1.f, 0.f}, {2.f, 6.f, 2.f}), {-std::log(0.6)});
}

TEST(Losses, MeanSquaredErrorIsTheMeanOverTheLastDim) {
  const tf::Tensor y_true = tf::constant({{1, 1}, {1, 1}});  // int targets are cast, as Keras
  expect_values(tf::losses::mean_squared_error(y_true, tf::constant({{1.f, 2.f}, {3.f, 4.f}})), {0.5, 6.5});
}

TEST(Losses, BinaryCrossentropyOnProbabilitiesWithKerasClipping) {
  // tf.keras: -(z log(p + eps) + (1 - z) log(1 - p + eps)) on p clipped to [eps, 1 - eps], mean over the last dim.
  const double e = 1e-7;
  expect_values(tf::losses::binary_crossentropy(tf::constant({{1.f, 0.f}}), tf::constant({{0.8f, 0.3f}})),
                {-(std::log(0.8 + e) + std::log(0.7 + e)) / 2});
  // Probabilities exactly 0 and 1, each on the wrong side: clipped, so finite (about 15.4).
  expect_values(tf::losses::binary_crossentropy(tf::constant({{1.f, 0.f}}), tf::constant({{0.f, 1.f}})),
                {-(std::log(kLo + e) + std::log(1 - kHi + e)) / 2}, 1e-4);
  // ... and on the right side: about 0.
  expect_values(tf::losses::binary_crossentropy(tf::constant({{0.f, 1.f}}), tf::constant({{0.f, 1.f}})),
                {-(std::log(1 - kLo + e) + std::log(kHi + e)) / 2}, 1e-6);
}

TEST(Losses, BinaryCrossentropyFromLogitsAgreesWithSigmoidProbabilities) {
  const tf::Tensor x = tf::constant({{-2.f, 0.f, 0.5f}, {3.f, -0.25f, 1.f}});
  const tf::Tensor z = tf::constant({{0.f, 1.f, 1.f}, {1.f, 0.f, 0.3f}});
  const std::vector<float> a = tf::losses::binary_crossentropy(z, x, true).numpy<float>();
  expect_values(tf::losses::binary_crossentropy(z, tf::sigmoid(x)), {a.begin(), a.end()}, 1e-5);
  // Row 0 by hand: each element costs softplus(x) - x z, here softplus(-2), softplus(0) and softplus(-0.5).
  auto softplus = [](double v) { return std::log1p(std::exp(v)); };
  EXPECT_NEAR(a[0], (softplus(-2.0) + softplus(0.0) + softplus(-0.5)) / 3, 1e-6);
}

TEST(Losses, ReductionsOfTheLossObjects) {
  const tf::Tensor labels = tf::constant({{0, 1, 2}, {2, 1, 0}});                 // [2, 3]
  const tf::Tensor logits = tf::random::normal({2, 3, 4}, 0.f, 1.f, 3);          // per-example loss [2, 3]
  const tf::Tensor per = tf::losses::sparse_categorical_crossentropy(labels, logits, true);
  const std::vector<float> v = per.numpy<float>();
  double sum = 0;
  for (float x : v) sum += x;
  using tf::losses::Reduction;
  const tf::losses::SparseCategoricalCrossentropy none({.from_logits = true, .reduction = Reduction::kNone});
  const tf::losses::SparseCategoricalCrossentropy total({.from_logits = true, .reduction = Reduction::kSum});
  const tf::losses::SparseCategoricalCrossentropy mean({.from_logits = true});
  EXPECT_EQ(none(labels, logits).shape(), (tf::Shape{2, 3}));
  expect_values(none(labels, logits), {v.begin(), v.end()});
  EXPECT_EQ(total(labels, logits).shape(), tf::Shape{});
  EXPECT_NEAR(total(labels, logits).item<float>(), sum, 1e-5);
  // Sum over batch size: the sum divided by the number of per-example losses (6), not the batch (2).
  EXPECT_NEAR(mean(labels, logits).item<float>(), sum / 6, 1e-6);
  // An empty batch: 0 (Keras's divide_no_nan), not NaN.
  EXPECT_EQ(mean(tf::zeros({0}, tf::int32), tf::zeros({0, 4})).item<float>(), 0.f);
}

TEST(Losses, LossObjectDropsATrailingOneLikeKeras) {
  // y_true [N] against a Dense(1) output [N, 1]: per-example squared errors, not an [N, N] broadcast.
  const tf::losses::MeanSquaredError mse;
  EXPECT_NEAR(mse(tf::constant({1.f, 2.f, 3.f}), tf::constant({{1.f}, {4.f}, {3.f}})).item<float>(), 4.0 / 3, 1e-6);
  EXPECT_NEAR(mse(tf::constant({{1.f}, {2.f}, {3.f}}), tf::constant({1.f, 4.f, 3.f})).item<float>(), 4.0 / 3, 1e-6);
}

TEST(Losses, GradientsAreFiniteAtTheEdges) {
  // Probabilities at exactly 0 and 1 (clipped) and huge logits.
  const tf::Tensor p = tf::constant({{0.f, 1.f, 0.f}, {0.5f, 0.5f, 0.f}});
  const tf::Tensor big = tf::constant({{1000.f, -1000.f, 0.f}, {-50.f, 50.f, 0.f}});
  const tf::Tensor labels = tf::constant({0, 2});
  const tf::Tensor one_hot = tf::one_hot(labels, 3);
  tf::GradientTape tape(/*persistent=*/true);
  tape.watch(p);
  tape.watch(big);
  const std::vector<tf::Tensor> losses = {
      tf::losses::sparse_categorical_crossentropy(labels, p),
      tf::losses::sparse_categorical_crossentropy(labels, big, true),
      tf::losses::categorical_crossentropy(one_hot, p),
      tf::losses::categorical_crossentropy(one_hot, big, true),
      tf::losses::binary_crossentropy(one_hot, p),
      tf::losses::binary_crossentropy(one_hot, big, true),
      tf::losses::mean_squared_error(one_hot, p),
  };
  for (const tf::Tensor& l : losses) {
    expect_finite(l);
    for (const tf::Tensor& g : tape.gradient(tf::reduce_mean(l), std::vector<tf::Tensor>{p, big}))
      if (g.defined()) expect_finite(g);
  }
}

TEST(Losses, GradientsFromLogitsAreSoftmaxMinusTargets) {
  const tf::Tensor logits = tf::constant({{1.f, 2.f, 0.5f}});
  tf::GradientTape tape(true);
  tape.watch(logits);
  const tf::Tensor sparse = tf::losses::sparse_categorical_crossentropy(tf::constant({1}), logits, true);
  const std::vector<float> s = tf::nn::softmax(logits).numpy<float>();
  expect_values(tape.gradient(sparse, logits), {s[0], s[1] - 1.0, s[2]});
  // Binary from logits at x = 0: d/dx = (sigmoid(0) - z) / 3 (mean over the last dim), on both sides of the kink.
  const tf::Tensor x = tf::constant({{0.f, 0.f, 0.f}});
  tape.watch(x);
  const tf::Tensor bce = tf::losses::binary_crossentropy(tf::constant({{1.f, 0.f, 0.5f}}), x, true);
  expect_values(tape.gradient(bce, x), {-0.5 / 3, 0.5 / 3, 0.0});
}

TEST(Losses, ShapeAndLabelErrorsNameBothShapes) {
  EXPECT_EQ(error_of([] { tf::losses::categorical_crossentropy(tf::zeros({4, 3}), tf::zeros({4, 5})); }),
            "categorical_crossentropy: y_true [4, 3] and y_pred [4, 5] must have the same shape");
  EXPECT_EQ(error_of([] { tf::losses::mean_squared_error(tf::zeros({2}), tf::zeros({3})); }),
            "mean_squared_error: y_true [2] and y_pred [3] must have the same shape");
  EXPECT_EQ(error_of([] { tf::losses::sparse_categorical_crossentropy(tf::zeros({5}, tf::int32), tf::zeros({4, 3})); }),
            "sparse_categorical_crossentropy: y_true [5] does not match y_pred [4, 3] (expected labels of shape [4])");
  // A label outside [0, classes) is an error, never a silent read past the row.
  EXPECT_THROW(tf::losses::sparse_categorical_crossentropy(tf::constant({3}), tf::zeros({1, 3}), true), tf::Error);
}

TEST(Losses, GetByKerasName) {
  EXPECT_EQ(tf::losses::get("mse")->name(), "mean_squared_error");
  EXPECT_EQ(tf::losses::get("mean_squared_error")->name(), "mean_squared_error");
  EXPECT_EQ(tf::losses::get("sparse_categorical_crossentropy")->name(), "sparse_categorical_crossentropy");
  EXPECT_EQ(tf::losses::get("SparseCategoricalCrossentropy")->name(), "sparse_categorical_crossentropy");
  EXPECT_EQ(tf::losses::get("categorical_crossentropy")->name(), "categorical_crossentropy");
  EXPECT_EQ(tf::losses::get("binary_crossentropy")->name(), "binary_crossentropy");
  EXPECT_FALSE(tf::losses::get("binary_crossentropy")->options().from_logits);
  EXPECT_THROW(tf::losses::get("hinge_of_fate"), tf::Error);
}
