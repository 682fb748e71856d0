// Model::fit/evaluate/predict over a data::Dataset: the same learning as over tensors in the same
// order, steps_per_epoch for infinite datasets, validation datasets, errors.
#include <gtest/gtest.h>

#include "error_of.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tf::data::Dataset;
using tf::testing::error_of;

namespace {

struct Data {
  tf::Tensor x, y;
};

// Two Gaussian blobs in 3-D with labels 0/1.
Data blobs(int64_t n) {
  const tf::Tensor y = tf::random::uniform_int({n}, 0, 2, 5);
  const tf::Tensor centers = tf::constant({{1.5f, 0.f, -1.f}, {-1.5f, 1.f, 0.5f}});
  return {tf::gather(centers, y) + tf::random::normal({n, 3}, 0.f, 0.7f, 6), y};
}

tf::Sequential compiled_model() {
  tf::random::set_seed(123);  // the same initial weights for every model of a test
  tf::Sequential model({tf::layers::Dense({.units = 8, .activation = "relu"}),
                        tf::layers::Dense({.units = 2, .activation = "softmax"})});
  model.build({-1, 3});
  model.compile(tf::optimizers::SGD({.learning_rate = 0.1}), tf::losses::SparseCategoricalCrossentropy(), {"accuracy"});
  return model;
}

std::vector<float> weights(tf::Model& model) {
  std::vector<float> out;
  for (const auto& v : model.variables())
    for (float w : v.numpy<float>()) out.push_back(w);
  return out;
}

}  // namespace

TEST(FitDataset, LearnsExactlyAsFitOnTensorsInTheSameOrder) {
  const Data d = blobs(100);
  tf::Sequential on_tensors = compiled_model();
  const tf::History a = on_tensors.fit(d.x, d.y, {.epochs = 3, .batch_size = 16, .shuffle = false, .verbose = 0});
  tf::Sequential on_dataset = compiled_model();
  const tf::History b =
      on_dataset.fit(Dataset::from_tensor_slices({d.x, d.y}).batch(16).prefetch(2), {.epochs = 3, .verbose = 0});
  EXPECT_EQ(a.history.at("loss"), b.history.at("loss"));
  EXPECT_EQ(a.history.at("accuracy"), b.history.at("accuracy"));
  EXPECT_EQ(weights(on_tensors), weights(on_dataset));
  EXPECT_LT(b.history.at("loss").back(), b.history.at("loss").front());
  EXPECT_EQ(on_tensors.evaluate(d.x, d.y), on_dataset.evaluate(Dataset::from_tensor_slices({d.x, d.y}).batch(32)));
  EXPECT_EQ(on_tensors.predict(d.x).numpy<float>(), on_dataset.predict(Dataset::from_tensor_slices(d.x).batch(7)).numpy<float>());
}

TEST(FitDataset, StepsPerEpochReadsOnePassAcrossEpochs) {
  const Data d = blobs(64);
  const Dataset endless = Dataset::from_tensor_slices({d.x, d.y}).shuffle(64, 1).batch(16).repeat();
  tf::Sequential model = compiled_model();
  EXPECT_EQ(error_of([&] { model.fit(endless, {.verbose = 0}); }),
            "fit: the dataset is infinite (repeat() without a count); give steps_per_epoch");
  const tf::History h = model.fit(endless, {.epochs = 3, .verbose = 0, .steps_per_epoch = 5});
  EXPECT_EQ(h.epoch, (std::vector<int>{0, 1, 2}));
  // 2 passes of 4 batches cannot fill 3 epochs of 3 steps: training stops after the epoch that ran out.
  const tf::History short_run =
      model.fit(Dataset::from_tensor_slices({d.x, d.y}).batch(16).repeat(2), {.epochs = 3, .verbose = 0, .steps_per_epoch = 3});
  EXPECT_EQ(short_run.epoch, (std::vector<int>{0, 1, 2}));
  const tf::History ran_out =
      model.fit(Dataset::from_tensor_slices({d.x, d.y}).batch(16), {.epochs = 3, .verbose = 0, .steps_per_epoch = 3});
  EXPECT_EQ(ran_out.epoch, (std::vector<int>{0, 1}));
}

TEST(FitDataset, ValidationDatasetAndUnknownLength) {
  const Data d = blobs(80);
  const Dataset train = Dataset::from_tensor_slices({d.x, d.y}).filter([](const tf::data::Element&) { return true; }).batch(20);
  ASSERT_EQ(train.cardinality(), tf::data::kUnknownCardinality);
  tf::Sequential model = compiled_model();
  const tf::History h = model.fit(train, {.epochs = 2, .validation_data = Dataset::from_tensor_slices({d.x, d.y}).batch(40), .verbose = 2});
  ASSERT_EQ(h.history.at("val_loss").size(), 2u);
  EXPECT_DOUBLE_EQ(h.history.at("val_loss").back(), model.evaluate(d.x, d.y, {.batch_size = 40}).at("loss"));
  const auto limited = model.evaluate(Dataset::from_tensor_slices({d.x, d.y}).batch(10), {.steps = 1});
  EXPECT_DOUBLE_EQ(limited.at("loss"), model.evaluate(tf::slice(d.x, {0, 0}, {10, -1}), tf::slice(d.y, {0}, {10})).at("loss"));
}

TEST(FitDataset, ElementsMustBePairs) {
  const Data d = blobs(8);
  tf::Sequential model = compiled_model();
  EXPECT_EQ(error_of([&] { model.fit(Dataset::from_tensor_slices(d.x).batch(4), {.verbose = 0}); }),
            "fit: expected dataset elements (x, y), found (float32 [4, 3])");
}
