// Whole training steps on CUDA: three steps of the notes' MLP, CNN and char-RNN (the custom loop: tape,
// sparse_categorical_crossentropy, Adam) give the CPU's weights within float tolerance. Weights follow
// the device of the first input (as tf.device places them), so the same code trains on either device.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "tapeflow/models/char_rnn.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

struct Batch {
  tf::Tensor x, y;
};

// Three Adam steps on `batches` with the model's weights on `device`; returns the weights on the CPU.
template <class MakeModel>
std::vector<tf::Tensor> train_three_steps(MakeModel make_model, const std::vector<Batch>& batches, tf::Device device) {
  tf::random::set_seed(11);
  auto model = make_model();
  tf::optimizers::Adam optimizer({.learning_rate = 1e-3});
  for (const Batch& batch : batches) {
    tf::GradientTape tape;
    const tf::Tensor y_pred = (*model)(batch.x.to(device), true);
    const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(batch.y.to(device), y_pred));
    const std::vector<tf::Variable> vars = model->trainable_variables();
    optimizer.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
  }
  std::vector<tf::Tensor> weights;
  for (const tf::Variable& v : model->variables()) {
    EXPECT_EQ(v.device(), device) << v.name();
    weights.push_back(v.to(tf::Device::cpu()));
  }
  return weights;
}

template <class MakeModel>
void expect_cuda_matches_cpu(MakeModel make_model, const std::vector<Batch>& batches, double tolerance) {
  if (!tf::cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const std::vector<tf::Tensor> cpu = train_three_steps(make_model, batches, tf::Device::cpu());
  const std::vector<tf::Tensor> gpu = train_three_steps(make_model, batches, tf::Device::cuda());
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) {
    const std::vector<float> a = cpu[i].numpy<float>(), b = gpu[i].numpy<float>();
    double diff = 0, norm = 0;
    for (size_t j = 0; j < a.size(); ++j) diff += (a[j] - b[j]) * (a[j] - b[j]), norm += a[j] * a[j];
    EXPECT_LE(std::sqrt(diff), tolerance * std::sqrt(norm) + 1e-6) << "weight " << i;
  }
}

std::vector<Batch> image_batches() {
  std::vector<Batch> batches;
  for (uint64_t s = 0; s < 3; ++s)
    batches.push_back({tf::random::uniform({50, 28, 28, 1}, 0.f, 1.f, 100 + s), tf::random::uniform_int({50}, 0, 10, 200 + s)});
  return batches;
}

}  // namespace

TEST(CudaTrainingSteps, MlpMatchesTheCpu) {
  expect_cuda_matches_cpu([] { return std::make_unique<tf::models::MLP>(); }, image_batches(), 1e-4);
}

TEST(CudaTrainingSteps, CnnMatchesTheCpu) {
  expect_cuda_matches_cpu([] { return std::make_unique<tf::models::CNN>(); }, image_batches(), 1e-4);
}

TEST(CudaTrainingSteps, CharRnnMatchesTheCpu) {
  std::vector<Batch> batches;
  for (uint64_t s = 0; s < 3; ++s)
    batches.push_back({tf::random::uniform_int({50, 40}, 0, 60, 300 + s), tf::random::uniform_int({50}, 0, 60, 400 + s)});
  expect_cuda_matches_cpu([] { return std::make_unique<tf::models::CharRNN>(60, 50, 40); }, batches, 1e-4);
}

TEST(DevicePlacement, WeightsFollowTheFirstInputsDeviceAndTheScope) {
  EXPECT_EQ(tf::default_device(), tf::Device::cpu());
  {
    const tf::DeviceScope outer(tf::Device::cuda(1));
    EXPECT_EQ(tf::default_device(), tf::Device::cuda(1));
    {
      const tf::DeviceScope inner(tf::Device::cpu());
      EXPECT_EQ(tf::default_device(), tf::Device::cpu());
    }
    EXPECT_EQ(tf::default_device(), tf::Device::cuda(1));
    // A layer built by a CPU input builds on the CPU whatever the scope says.
    tf::models::MLP model;
    model(tf::zeros({2, 28, 28, 1}));
    for (const tf::Variable& v : model.variables()) EXPECT_EQ(v.device(), tf::Device::cpu()) << v.name();
  }
  EXPECT_EQ(tf::default_device(), tf::Device::cpu());
}

// fit() moves each CPU batch to where the weights live, so the Keras path trains on the GPU too.
TEST(CudaTrainingSteps, FitTrainsOnTheModelsDevice) {
  if (!tf::cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const tf::Tensor x = tf::random::uniform({150, 28, 28, 1}, 0.f, 1.f, 5);
  const tf::Tensor y = tf::random::uniform_int({150}, 0, 10, 6);
  const auto train = [&](tf::Device device) {
    const tf::DeviceScope scope(device);
    tf::random::set_seed(3);
    tf::models::MLP model;
    model.build({-1, 28, 28, 1});
    model.compile(tf::optimizers::Adam({.learning_rate = 1e-3}), tf::losses::SparseCategoricalCrossentropy());
    model.fit(x, y, {.epochs = 1, .batch_size = 50, .shuffle = false, .verbose = 0});
    std::vector<float> weights;
    for (const tf::Variable& v : model.variables()) {
      EXPECT_EQ(v.device(), device);
      for (float w : v.numpy<float>()) weights.push_back(w);
    }
    return weights;
  };
  const std::vector<float> cpu = train(tf::Device::cpu()), gpu = train(tf::Device::cuda());
  double diff = 0, norm = 0;
  for (size_t i = 0; i < cpu.size(); ++i) diff += (cpu[i] - gpu[i]) * (cpu[i] - gpu[i]), norm += cpu[i] * cpu[i];
  EXPECT_LE(std::sqrt(diff), 1e-4 * std::sqrt(norm));
}
