// The notes' models: forward shapes, parameter counts, a short deterministic training run of each that
// lowers the loss, and CharRNN sampling that follows the temperature.
#include <gtest/gtest.h>

#include <cmath>

#include "tapeflow/models/char_rnn.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

// Trains `model` for `steps` Adam steps on one fixed batch with the notes' loss; returns the losses.
std::vector<float> train(tf::Model& model, const tf::Tensor& x, const tf::Tensor& y, int steps) {
  tf::optimizers::Adam optimizer({.learning_rate = 1e-3});
  std::vector<float> losses;
  for (int i = 0; i < steps; ++i) {
    tf::GradientTape tape;
    const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(y, model(x, true)));
    const auto vars = model.trainable_variables();
    optimizer.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
    losses.push_back(loss.item<float>());
  }
  return losses;
}

// ||got - want|| / ||want||.
double relative_error(const tf::Tensor& got, const tf::Tensor& want) {
  const float diff = tf::reduce_sum(tf::square(got - want)).item<float>();
  return std::sqrt(diff / tf::reduce_sum(tf::square(want)).item<float>());
}

std::vector<float> train_fresh_mlp() {
  tf::random::set_seed(1);
  tf::models::MLP mlp;
  const tf::Tensor x = tf::random::uniform({200, 28, 28, 1}, 0.f, 1.f, 2);
  const tf::Tensor y = tf::random::uniform_int({200}, 0, 10, 3);
  return train(mlp, x, y, 30);
}

}  // namespace

TEST(Models, MlpShapesAndParams) {
  tf::models::MLP mlp;
  const tf::Tensor p = mlp(tf::zeros({3, 28, 28, 1}));
  EXPECT_EQ(p.shape(), (tf::Shape{3, 10}));
  EXPECT_NEAR(tf::reduce_sum(p).item<float>(), 3.f, 1e-5f);  // softmax rows
  EXPECT_EQ(mlp.count_params(), 79510);
}

TEST(Models, MlpTrainingLowersTheLossDeterministically) {
  const std::vector<float> losses = train_fresh_mlp();
  EXPECT_LT(losses.back(), 0.5f * losses.front());
  EXPECT_EQ(train_fresh_mlp(), losses);
}

TEST(Models, CnnShapesParamsAndTraining) {
  tf::random::set_seed(4);
  tf::models::CNN cnn;
  EXPECT_EQ(cnn(tf::zeros({2, 28, 28, 1})).shape(), (tf::Shape{2, 10}));
  EXPECT_EQ(cnn.count_params(), 3274634);
  const tf::Tensor x = tf::random::uniform({10, 28, 28, 1}, 0.f, 1.f, 5);
  const tf::Tensor y = tf::random::uniform_int({10}, 0, 10, 6);
  const std::vector<float> losses = train(cnn, x, y, 12);
  EXPECT_LT(losses.back(), 0.5f * losses.front());
}

TEST(Models, CharRnnShapesParamsAndTraining) {
  tf::random::set_seed(7);
  tf::models::CharRNN rnn(/*num_chars=*/12, /*batch_size=*/16, /*seq_length=*/10, /*units=*/32);
  const tf::Tensor x = tf::random::uniform_int({16, 10}, 0, 12, 8);
  EXPECT_EQ(rnn(x).shape(), (tf::Shape{16, 12}));
  // LSTMCell: kernel [12, 128] + recurrent [32, 128] + bias [128]; Dense: [32, 12] + [12].
  EXPECT_EQ(rnn.count_params(), 12 * 128 + 32 * 128 + 128 + 32 * 12 + 12);
  // The next character is a function of the window: the model must learn it.
  const tf::Tensor y = tf::cast(tf::reduce_max(tf::cast(x, tf::float32), {1}), tf::int64);
  const std::vector<float> losses = train(rnn, x, y, 60);
  EXPECT_LT(losses.back(), 0.5f * losses.front());
}

// CharRNN runs its cell over the whole window in one op (nn::lstm_sequence) and the one-hot products as
// a gather: the same logits and gradients, within float rounding, as the notes' form it replaces (one_hot,
// then the cell's matmuls and lstm_cell step by step), and the notes' weight names.
TEST(Models, CharRnnMatchesTheNotesSteppedCell) {
  tf::random::set_seed(3);
  const int64_t chars = 11, batch = 6, seq = 9, units = 16;
  tf::models::CharRNN rnn(chars, batch, seq, units);
  const tf::Tensor x = tf::random::uniform_int({batch, seq}, 0, chars, 4);
  const tf::Tensor y = tf::random::uniform_int({batch}, 0, chars, 5);
  rnn(x);
  std::vector<tf::Variable> vars = rnn.trainable_variables();
  std::vector<std::string> names;
  for (const tf::Variable& v : vars) names.push_back(v.name());
  EXPECT_EQ(names, (std::vector<std::string>{"lstm_cell/kernel", "lstm_cell/recurrent_kernel", "lstm_cell/bias",
                                             "dense/kernel", "dense/bias"}));
  vars[2].assign(tf::random::normal({4 * units}, 0.f, 1.f, 6));  // a bias that is not Keras's 0/1 start
  const std::vector<tf::Tensor> sources(vars.begin(), vars.end());
  auto loss_of = [&](const tf::Tensor& logits) {
    return tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(y, logits));
  };

  tf::Tensor logits;
  std::vector<tf::Tensor> model_grads;
  {
    tf::GradientTape tape;
    logits = rnn(x, true);
    model_grads = tape.gradient(loss_of(logits), sources);
  }

  tf::GradientTape tape;
  const tf::Tensor one_hot = tf::one_hot(x, chars);
  tf::Tensor h = tf::zeros({batch, units}), c = tf::zeros({batch, units});
  for (int64_t t = 0; t < seq; ++t) {
    const tf::Tensor x_t = tf::reshape(tf::slice(one_hot, {0, t, 0}, {batch, 1, chars}), {batch, chars});
    std::tie(h, c) = tf::nn::lstm_cell(tf::matmul(x_t, vars[0]) + tf::matmul(h, vars[1]) + vars[2], c);
  }
  const tf::Tensor stepped_logits = tf::matmul(h, vars[3]) + vars[4];
  const std::vector<tf::Tensor> stepped_grads = tape.gradient(loss_of(stepped_logits), sources);

  EXPECT_LE(relative_error(logits, stepped_logits), 1e-6);
  for (size_t i = 0; i < vars.size(); ++i)
    EXPECT_LE(relative_error(model_grads[i], stepped_grads[i]), 1e-5) << names[i];
}

TEST(Models, CharRnnSamplingFollowsTheTemperature) {
  tf::random::set_seed(9);
  tf::models::CharRNN rnn(5, 1, 4, 8);
  rnn(tf::zeros({1, 4}, tf::int64));
  // Give character 2 a clear lead: the output layer's bias (the model's last variable).
  rnn.variables().back().assign(tf::constant({0.f, 0.f, 3.f, 0.f, 0.f}));
  const tf::Tensor window = tf::constant(std::vector<int64_t>(400 * 4, 2), {400, 4});
  const int64_t most_likely = tf::argmax(rnn(tf::slice(window, {0, 0}, {1, 4}), true), -1).item<int64_t>();
  auto share_of_most_likely = [&](double temperature) {
    int hits = 0;
    for (int64_t c : rnn.predict(window, temperature, 11).numpy<int64_t>()) hits += c == most_likely;
    return hits / 400.0;
  };
  const double cold = share_of_most_likely(0.05), warm = share_of_most_likely(1.0), hot = share_of_most_likely(5.0);
  EXPECT_EQ(most_likely, 2);
  EXPECT_GT(cold, 0.99);  // low temperature concentrates on the most likely character
  EXPECT_GT(cold, warm);
  EXPECT_GT(warm, hot - 0.05);
  EXPECT_LT(hot, 0.5);  // high temperature spreads out (5 characters, nearly uniform)
  EXPECT_THROW(rnn.predict(window, 0.0), tf::Error);
}
