// GradientTape semantics, as in TF2.
#include <gtest/gtest.h>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {
std::vector<float> values(const tf::Tensor& t) { return t.numpy<float>(); }
}  // namespace

TEST(GradientTape, ReadmeExample) {
  tf::Variable w(tf::constant({{1.f, 2.f}, {3.f, 4.f}}));
  tf::Tensor x = tf::constant({{1.f, -1.f}});
  tf::GradientTape tape;
  tf::Tensor y = tf::reduce_sum(tf::square(tf::matmul(x, w)));
  std::vector<tf::Tensor> grads = tape.gradient(y, {w});
  EXPECT_EQ(grads[0].to_string(), "[[-4, -4], [4, 4]]");
}

TEST(GradientTape, TrainableVariablesAreWatchedTensorsAreNot) {
  tf::Variable w(tf::constant({2.f}));
  tf::Variable frozen(tf::constant({3.f}), "frozen", /*trainable=*/false);
  tf::Tensor x = tf::constant({5.f});
  tf::GradientTape tape(true);
  tf::Tensor y = w * x * frozen;
  EXPECT_EQ(values(tape.gradient(y, w)), std::vector<float>{15.f});
  EXPECT_FALSE(tape.gradient(y, x).defined());
  EXPECT_FALSE(tape.gradient(y, frozen).defined());
  tape.watch(x);
  tf::Tensor z = w * x;
  EXPECT_EQ(values(tape.gradient(z, x)), std::vector<float>{2.f});
}

TEST(GradientTape, NonPersistentTapeAnswersOnce) {
  tf::Variable w(tf::constant({1.f}));
  tf::GradientTape tape;
  tf::Tensor y = w * w;
  tape.gradient(y, w);
  try {
    tape.gradient(y, w);
    FAIL() << "a second gradient() on a non-persistent tape must throw";
  } catch (const tf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("non-persistent GradientTape can only compute one set"), std::string::npos);
  }
}

TEST(GradientTape, PersistentTapeAnswersManyTimes) {
  tf::Tensor x = tf::constant({3.f});
  tf::GradientTape tape(/*persistent=*/true);
  tape.watch(x);
  tf::Tensor y = x * x;
  tf::Tensor z = y * y;
  EXPECT_EQ(values(tape.gradient(z, x)), std::vector<float>{108.f});  // 4 x^3
  EXPECT_EQ(values(tape.gradient(y, x)), std::vector<float>{6.f});
}

TEST(GradientTape, UnconnectedSourcesGetUndefinedGradients) {
  tf::Variable a(tf::constant({1.f})), b(tf::constant({2.f}));
  tf::GradientTape tape;
  tf::Tensor y = a * 3.f;
  const auto grads = tape.gradient(y, {a, b});
  EXPECT_EQ(values(grads[0]), std::vector<float>{3.f});
  EXPECT_FALSE(grads[1].defined());
}

TEST(GradientTape, ReusedTensorAccumulatesGradients) {
  tf::Tensor x = tf::constant({2.f, -1.f});
  tf::GradientTape tape;
  tape.watch(x);
  tf::Tensor y = tf::reduce_sum(x * x + x * 3.f + x);  // uses x four times
  EXPECT_EQ(values(tape.gradient(y, x)), (std::vector<float>{8.f, 2.f}));  // 2x + 4
}

TEST(GradientTape, StopGradientBlocksTheFlow) {
  tf::Tensor x = tf::constant({3.f});
  tf::GradientTape tape;
  tape.watch(x);
  tf::Tensor y = x * tf::stop_gradient(x);
  EXPECT_EQ(values(tape.gradient(y, x)), std::vector<float>{3.f});
}

TEST(GradientTape, NestedTapesGiveSecondDerivatives) {
  tf::Tensor x = tf::constant({2.f});
  tf::GradientTape outer;
  outer.watch(x);
  tf::Tensor dy;
  {
    tf::GradientTape inner;
    inner.watch(x);
    tf::Tensor y = x * x * x;
    dy = inner.gradient(y, x);  // 3 x^2, recorded by the outer tape
  }
  EXPECT_EQ(values(dy), std::vector<float>{12.f});
  EXPECT_EQ(values(outer.gradient(dy, x)), std::vector<float>{12.f});  // 6 x
}

TEST(GradientTape, NestedTapesRecordIndependently) {
  tf::Tensor x = tf::constant({1.f}), z = tf::constant({4.f});
  tf::GradientTape outer(true);
  outer.watch(x);
  tf::GradientTape inner(true);
  inner.watch(z);
  tf::Tensor y = x * z;
  EXPECT_EQ(values(outer.gradient(y, x)), std::vector<float>{4.f});
  EXPECT_FALSE(outer.gradient(y, z).defined());
  EXPECT_EQ(values(inner.gradient(y, z)), std::vector<float>{1.f});
  EXPECT_FALSE(inner.gradient(y, x).defined());
}

TEST(GradientTape, SecondOrderThroughAFusedGradientIsAClearError) {
  tf::Tensor x = tf::constant({0.5f});
  tf::GradientTape outer;
  outer.watch(x);
  tf::GradientTape inner;
  inner.watch(x);
  tf::Tensor y = tf::sigmoid(x);
  EXPECT_THROW(inner.gradient(y, x), tf::NotImplemented);
}

TEST(GradientTape, OpsOnUnwatchedInputsRecordNothing) {
  tf::Tensor x = tf::constant({1.f});
  tf::GradientTape tape;
  tf::Tensor y = x * x;
  tape.watch(y);  // watched only after it was computed
  tf::Tensor z = y * 2.f;
  EXPECT_FALSE(tape.gradient(z, {x, y})[0].defined());
}

TEST(GradientTape, BroadcastGradientsSumBackToTheOperandShape) {
  tf::Tensor a = tf::ones({3, 4});
  tf::Tensor b = tf::constant({1.f, 2.f, 3.f, 4.f});
  tf::GradientTape tape(true);
  tape.watch(a);
  tape.watch(b);
  tf::Tensor y = tf::reduce_sum(a * b);
  EXPECT_EQ(values(tape.gradient(y, b)), (std::vector<float>{3, 3, 3, 3}));
  EXPECT_EQ(tape.gradient(y, a).shape(), (tf::Shape{3, 4}));
}

TEST(Variable, AssignUpdatesInPlaceAndChecksTheShape) {
  tf::Variable v(tf::constant({1.f, 2.f}), "v");
  const void* storage = v.raw_data();
  v.assign_sub(tf::constant({0.5f, 0.5f}));
  v.assign_add(tf::constant({1.f, 1.f}));
  EXPECT_EQ(values(v), (std::vector<float>{1.5f, 2.5f}));
  EXPECT_EQ(v.raw_data(), storage);
  try {
    v.assign(tf::zeros({3}));
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(), "Variable::assign: variable 'v' is float32 [2], the value is float32 [3]");
  }
}

TEST(Variable, UpdatesInsideATapeAreNotRecorded) {
  tf::Variable v(tf::constant({1.f}));
  tf::GradientTape tape;
  tf::Tensor y = v * 2.f;
  v.assign_add(tf::constant({1.f}));
  EXPECT_EQ(values(tape.gradient(y, v)), std::vector<float>{2.f});
}
