// debugging::enable_check_numerics: the first NaN or ±Inf from a forward op, a gradient or an optimizer
// update throws an error naming the op, its layer and the step; disabled, NaN flows through silently.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "error_of.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tapeflow::testing::error_of;
using ::testing::ContainsRegex;
using ::testing::StartsWith;

namespace {

// Enables check_numerics for one test, and disables it afterwards whatever happens.
class CheckNumerics : public ::testing::Test {
 protected:
  void SetUp() override { tf::debugging::enable_check_numerics(); }
  void TearDown() override { tf::debugging::disable_check_numerics(); }
};

// x * sqrt(w) with w initialized to 0: the forward pass is finite, the gradient of sqrt at 0 is not.
class SqrtGate : public tf::Layer {
 public:
  SqrtGate() : tf::Layer("SqrtGate") {}
  void build(const tf::Shape& input_shape) override {
    w_ = add_weight("w", {input_shape[input_shape.rank() - 1]}, "zeros");
    mark_built();
  }
  tf::Tensor call(const tf::Tensor& x, bool) override { return x * tf::sqrt(w_); }

 private:
  tf::Variable w_;
};

}  // namespace

TEST_F(CheckNumerics, NaNFromAForwardOpNamesTheOp) {
  const tf::Tensor x = tf::constant({2.f, -1.f, 3.f});
  EXPECT_EQ(error_of([&] { tf::log(x); }),
            "check_numerics: op 'log' produced NaN: output 0, shape [3], first bad element at index 1");
  const tf::Tensor zero = tf::zeros({2, 2});
  EXPECT_THAT(error_of([&] { tf::div(zero, zero); }), StartsWith("check_numerics: op 'div' produced NaN"));
  EXPECT_EQ(error_of([&] { tf::exp(tf::constant({1.f, 100.f})); }),
            "check_numerics: op 'exp' produced Inf: output 0, shape [2], first bad element at index 1");
}

TEST_F(CheckNumerics, InfFromAGradientNamesTheBackwardOpAndTheStep) {
  const tf::Variable x(tf::constant({0.f, 4.f}), "x");
  const tf::optimizers::SGD sgd;  // a new optimizer: step 1 of a training loop
  tf::GradientTape tape;
  const tf::Tensor y = tf::reduce_sum(tf::sqrt(x));  // finite; d sqrt(x)/dx = 1 / (2 sqrt(x)) is Inf at 0
  EXPECT_EQ(error_of([&] { tape.gradient(y, {x}); }),
            "check_numerics: op 'sqrt' (backward) produced Inf at step 1: output 0, shape [2], first bad element at "
            "index 0");
}

TEST_F(CheckNumerics, OutsideTrainingNamesNoStep) {
  tf::optimizers::SGD sgd;
  sgd.set_iterations(41);  // a restored training loop at step 42, then an op outside any tape (sampling, say)
  EXPECT_EQ(error_of([&] { tf::log(tf::constant({-1.f})); }),
            "check_numerics: op 'log' produced NaN: output 0, shape [1], first bad element at index 0");
  tf::GradientTape tape;
  EXPECT_EQ(error_of([&] { tf::log(tf::constant({-1.f})); }),
            "check_numerics: op 'log' produced NaN at step 42: output 0, shape [1], first bad element at index 0");
}

TEST_F(CheckNumerics, InsideFitNamesTheLayerAndTheStep) {
  tf::Sequential model({tf::layers::Dense({.units = 4, .kernel_initializer = "ones"}), SqrtGate()});
  model.compile(tf::optimizers::SGD(), tf::losses::SparseCategoricalCrossentropy({.from_logits = true}));
  const tf::Tensor x = tf::random::normal({20, 3}, 0.f, 1.f, 5);
  const tf::Tensor y = tf::random::uniform_int({20}, 0, 4, 6);
  const std::string message = error_of([&] { model.fit(x, y, {.epochs = 2, .batch_size = 10, .verbose = 0}); });
  EXPECT_THAT(message, ContainsRegex("^check_numerics: op 'sqrt' \\(backward\\) in layer 'sequential/sqrt_gate' "
                                     "produced -?Inf at step 1 \\(epoch 1, batch 1\\): output 0, shape \\[4\\], "
                                     "first bad element at index 0$"));
}

TEST_F(CheckNumerics, InfFromBadDataNamesTheBatch) {
  tf::Sequential model({tf::layers::Dense({.units = 2, .kernel_initializer = "ones"})});
  model.compile(tf::optimizers::SGD(), tf::losses::SparseCategoricalCrossentropy({.from_logits = true}));
  std::vector<float> values(30 * 3, 0.5f);
  values[24 * 3 + 1] = std::numeric_limits<float>::infinity();  // row 24, in the third batch of 10
  const tf::Tensor x = tf::constant(values, {30, 3});
  EXPECT_EQ(error_of([&] {
                model.fit(x, tf::zeros({30}, tf::DType::kInt64), {.epochs = 1, .batch_size = 10, .shuffle = false,
                                                                  .verbose = 0});
              }),
              "check_numerics: op 'matmul' in layer 'sequential/dense' produced Inf at step 3 (epoch 1, batch 3): "
              "output 0, shape [10, 2], first bad element at index 8");
}

TEST_F(CheckNumerics, InfFromAnOptimizerUpdateNamesTheVariable) {
  const tf::Variable w(tf::constant({1.f}), "w");
  tf::optimizers::SGD sgd({.learning_rate = 1e38});
  tf::GradientTape tape;
  const tf::Tensor loss = tf::reduce_sum(w * 1e3f);  // gradient 1e3: the update w -= 1e38 * 1e3 overflows
  const std::vector<tf::Tensor> grads = tape.gradient(loss, {w});
  EXPECT_EQ(error_of([&] { sgd.apply_gradients(grads, {w}); }),
            "check_numerics: optimizer 'SGD' (update) produced -Inf at step 1: variable 'w', shape [1], "
            "first bad element at index 0");
}

TEST_F(CheckNumerics, OnCudaTensorsToo) {
  if (!tf::cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const tf::Tensor x = tf::constant({2.f, 3.f, -1.f, 4.f, -2.f}).to(tf::Device::cuda());
  EXPECT_EQ(error_of([&] { tf::log(x); }),
            "check_numerics: op 'log' produced NaN: output 0, shape [5], first bad element at index 2");
  EXPECT_EQ(error_of([&] { tf::log(tf::square(x)); }), "(no error)");
}

TEST(CheckNumericsDisabled, NaNFlowsThroughSilently) {
  ASSERT_FALSE(tf::debugging::check_numerics_enabled());
  const tf::Tensor y = tf::log(tf::constant({-1.f}));
  EXPECT_TRUE(std::isnan(y.numpy<float>()[0]));
}
