// nn::lstm_sequence beyond the op table: the same values and gradients as nn::lstm_cell stepped with
// matmuls (what the layers ran before), inference without a tape, and its error messages.
#include <gtest/gtest.h>

#include "error_of.h"
#include "ops/op_case.h"

namespace tf = tapeflow;
using tapeflow::testing::error_of;
using tapeflow::testing::relative_error;

namespace {

struct Sequence {
  tf::Tensor x_gates, recurrent_kernel, h0, c0;
};

Sequence random_sequence(int64_t steps, int64_t batch, int64_t units) {
  return {tf::random::normal({steps, batch, 4 * units}, 0.f, 1.f, 1),
          tf::random::normal({units, 4 * units}, 0.f, 0.3f, 2), tf::random::normal({batch, units}, 0.f, 1.f, 3),
          tf::random::normal({batch, units}, 0.f, 1.f, 4)};
}

// The loss both versions differentiate: every output weighted, so each one's gradient path is exercised.
tf::Tensor loss_of(const tf::Tensor& outputs, const tf::Tensor& h, const tf::Tensor& c) {
  const tf::Tensor w = tf::random::normal(outputs.shape(), 0.f, 1.f, 5);
  return tf::reduce_sum(outputs * w) + tf::reduce_sum(h * 0.5f) - tf::reduce_sum(c * c);
}

TEST(LstmSequence, MatchesTheCellSteppedWithMatmuls) {
  const int64_t steps = 7, batch = 5, units = 19;
  const Sequence s = random_sequence(steps, batch, units);
  const std::vector<tf::Tensor> sources = {s.x_gates, s.recurrent_kernel, s.h0, s.c0};

  tf::nn::LstmSequenceOutputs fused;
  std::vector<tf::Tensor> fused_grads;
  {
    tf::GradientTape tape;
    for (const tf::Tensor& t : sources) tape.watch(t);
    fused = tf::nn::lstm_sequence(s.x_gates, s.recurrent_kernel, s.h0, s.c0);
    fused_grads = tape.gradient(loss_of(fused.outputs, fused.h, fused.c), sources);
  }

  tf::GradientTape tape;
  for (const tf::Tensor& t : sources) tape.watch(t);
  tf::Tensor h = s.h0, c = s.c0;
  std::vector<tf::Tensor> outputs;
  for (int64_t t = 0; t < steps; ++t) {
    const tf::Tensor x_t = tf::reshape(tf::slice(s.x_gates, {t, 0, 0}, {1, batch, 4 * units}), {batch, 4 * units});
    std::tie(h, c) = tf::nn::lstm_cell(x_t + tf::matmul(h, s.recurrent_kernel), c);
    outputs.push_back(h);
  }
  const tf::Tensor stepped = tf::stack(outputs, 0);
  const std::vector<tf::Tensor> stepped_grads = tape.gradient(loss_of(stepped, h, c), sources);

  EXPECT_LE(relative_error(fused.outputs, stepped), 1e-6);
  EXPECT_LE(relative_error(fused.h, h), 1e-6);
  EXPECT_LE(relative_error(fused.c, c), 1e-6);
  for (size_t i = 0; i < sources.size(); ++i)
    EXPECT_LE(relative_error(fused_grads[i], stepped_grads[i]), 1e-5) << "gradient of input " << i;
}

TEST(LstmSequence, InferenceWithoutATapeGivesTheSameValues) {
  const Sequence s = random_sequence(6, 3, 8);
  const tf::nn::LstmSequenceOutputs inference = tf::nn::lstm_sequence(s.x_gates, s.recurrent_kernel, s.h0, s.c0);
  tf::GradientTape tape;
  tape.watch(s.recurrent_kernel);
  const tf::nn::LstmSequenceOutputs training = tf::nn::lstm_sequence(s.x_gates, s.recurrent_kernel, s.h0, s.c0);
  EXPECT_EQ(relative_error(inference.outputs, training.outputs), 0.0);
  EXPECT_EQ(relative_error(inference.c, training.c), 0.0);
  EXPECT_EQ(relative_error(inference.h, tf::reshape(tf::slice(training.outputs, {5, 0, 0}, {1, 3, 8}), {3, 8})), 0.0);
}

TEST(LstmSequence, ErrorsNameWhatWasExpectedAndFound) {
  const tf::Tensor x = tf::zeros({4, 2, 12}), u = tf::zeros({3, 12}), h = tf::zeros({2, 3});
  EXPECT_EQ(error_of([&] { tf::nn::lstm_sequence(x, u, h, tf::zeros({2, 4})); }),
            "lstm_sequence: expected h0 and c0 of one shape [batch, units], found h0 [2, 3] and c0 [2, 4]");
  EXPECT_EQ(error_of([&] { tf::nn::lstm_sequence(x, tf::zeros({12, 3}), h, h); }),
            "lstm_sequence: expected recurrent_kernel [3, 12] for a state of 3 units, found [12, 3]");
  EXPECT_EQ(error_of([&] { tf::nn::lstm_sequence(tf::zeros({2, 4, 12}), u, h, h); }),
            "lstm_sequence: expected x_gates [time >= 1, 2, 12] (time-major, batch 2 and 4 x 3 units as h0), found "
            "[2, 4, 12]");
  EXPECT_EQ(error_of([&] { tf::nn::lstm_sequence(tf::zeros({0, 2, 12}), u, h, h); }),
            "lstm_sequence: expected x_gates [time >= 1, 2, 12] (time-major, batch 2 and 4 x 3 units as h0), found "
            "[0, 2, 12]");
  EXPECT_EQ(error_of([&] { tf::nn::lstm_sequence(x, tf::zeros({3, 12}, tf::int32), h, h); }),
            "lstm_sequence: expected recurrent_kernel to be float32, found int32");
}

}  // namespace
