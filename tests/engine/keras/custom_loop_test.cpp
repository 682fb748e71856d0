// The notes' custom training loop: GradientTape + sparse_categorical_crossentropy + reduce_mean +
// apply_gradients(grads, vars) + SparseCategoricalAccuracy, on an MLP written with raw Variables.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

// Three Gaussian blobs in 10-D: fixed centres, examples (labels and unit noise) drawn from `seed`.
std::pair<tf::Tensor, tf::Tensor> blobs(int64_t n, uint64_t seed) {
  const tf::Tensor centers = tf::random::normal({3, 10}, 0.f, 2.f, 1);
  const tf::Tensor labels = tf::random::uniform_int({n}, 0, 3, seed);
  return {tf::gather(centers, labels) + tf::random::normal({n, 10}, 0.f, 1.f, seed + 1), labels};
}

// Dense(32, relu) -> Dense(3, softmax), He/Glorot-scaled normal weights from fixed seeds.
struct Mlp {
  tf::Variable w1{tf::random::normal({10, 32}, 0.f, std::sqrt(2.f / 10), 11), "mlp/w1"};
  tf::Variable b1{tf::zeros({32}), "mlp/b1"};
  tf::Variable w2{tf::random::normal({32, 3}, 0.f, std::sqrt(2.f / 35), 12), "mlp/w2"};
  tf::Variable b2{tf::zeros({3}), "mlp/b2"};

  tf::Tensor operator()(const tf::Tensor& x) const {
    return tf::nn::softmax(tf::matmul(tf::nn::relu(tf::matmul(x, w1) + b1), w2) + b2);
  }
  std::vector<tf::Variable> variables() const { return {w1, b1, w2, b2}; }
};

struct Training {
  std::vector<float> losses;  // every step's loss
  double train_accuracy = 0;  // over the last epoch
  double test_accuracy = 0;
};

Training train(int epochs) {
  const auto [x, y] = blobs(600, 100);
  const auto [x_test, y_test] = blobs(300, 200);
  Mlp model;
  const std::vector<tf::Variable> vars = model.variables();
  tf::optimizers::Adam optimizer({.learning_rate = 1e-2});
  tf::metrics::SparseCategoricalAccuracy accuracy;
  Training run;
  const int64_t batch = 50;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    accuracy.reset_state();
    for (int64_t start = 0; start < 600; start += batch) {
      const tf::Tensor xb = tf::slice(x, {start, 0}, {batch, -1});
      const tf::Tensor yb = tf::slice(y, {start}, {batch});
      tf::GradientTape tape;
      const tf::Tensor y_pred = model(xb);
      const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(yb, y_pred));
      const std::vector<tf::Tensor> grads = tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end()));
      optimizer.apply_gradients(grads, vars);
      accuracy.update_state(yb, y_pred);
      run.losses.push_back(loss.item<float>());
    }
  }
  run.train_accuracy = accuracy.result();
  accuracy.reset_state();
  accuracy.update_state(y_test, model(x_test));
  run.test_accuracy = accuracy.result();
  EXPECT_EQ(optimizer.iterations(), epochs * 600 / batch);
  return run;
}

}  // namespace

TEST(CustomLoop, MlpOnBlobsReaches95PercentDeterministically) {
  const Training run = train(5);
  EXPECT_LT(run.losses.back(), 0.5 * run.losses.front());
  EXPECT_GE(run.train_accuracy, 0.95);
  EXPECT_GE(run.test_accuracy, 0.95);
  // Same seeds, same losses, bit for bit.
  EXPECT_EQ(train(5).losses, run.losses);
}
