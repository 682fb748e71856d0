// A two-layer network written with raw ops, a GradientTape and a plain SGD update learns a synthetic
// task that a linear model cannot (XOR of the signs of two coordinates), deterministically.
#include <gtest/gtest.h>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

struct Result {
  float accuracy;
  std::vector<float> losses;
};

Result train_xor_mlp(uint64_t seed) {
  constexpr int64_t kExamples = 512, kHidden = 32, kSteps = 400;
  const tf::Tensor x = tf::random::uniform({kExamples, 2}, -1.f, 1.f, seed);
  const std::vector<float> xv = x.numpy<float>();
  std::vector<int64_t> labels(kExamples);
  for (int64_t i = 0; i < kExamples; ++i) labels[i] = (xv[2 * i] > 0) != (xv[2 * i + 1] > 0);
  const tf::Tensor y = tf::constant(labels, {kExamples});

  tf::Variable w1(tf::random::normal({2, kHidden}, 0.f, 1.f, seed + 1), "w1");
  tf::Variable b1(tf::zeros({kHidden}), "b1");
  tf::Variable w2(tf::random::normal({kHidden, 2}, 0.f, 0.25f, seed + 2), "w2");
  tf::Variable b2(tf::zeros({2}), "b2");
  std::vector<tf::Variable> params{w1, b1, w2, b2};

  Result result;
  for (int step = 0; step < kSteps; ++step) {
    tf::GradientTape tape;
    const tf::Tensor hidden = tf::nn::relu(tf::matmul(x, w1) + b1);
    const tf::Tensor logits = tf::matmul(hidden, w2) + b2;
    const tf::Tensor loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(y, logits));
    const std::vector<tf::Tensor> grads = tape.gradient(loss, {w1, b1, w2, b2});
    for (size_t i = 0; i < params.size(); ++i) params[i].assign_sub(grads[i] * 0.5f);
    result.losses.push_back(loss.item<float>());
  }
  const tf::Tensor logits = tf::matmul(tf::nn::relu(tf::matmul(x, w1) + b1), w2) + b2;
  const tf::Tensor correct = tf::cast(tf::equal(tf::argmax(logits, -1), y), tf::float32);
  result.accuracy = tf::reduce_mean(correct).item<float>();
  return result;
}

}  // namespace

TEST(EndToEnd, TwoLayerNetworkLearnsXorDeterministically) {
  const Result first = train_xor_mlp(2026);
  EXPECT_GE(first.accuracy, 0.95f);
  EXPECT_LT(first.losses.back(), first.losses.front() * 0.3f);
  const Result second = train_xor_mlp(2026);
  EXPECT_EQ(first.losses, second.losses);  // bitwise: same seed, same thread count
}
