// Model and Sequential: tracking and names, build, fit/evaluate/predict, callbacks, errors.
#include <gtest/gtest.h>

#include <sstream>

#include "engine/keras/progbar.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

// Three Gaussian blobs in 4-D, 3 classes: linearly separable with margin.
std::pair<tf::Tensor, tf::Tensor> blobs(int64_t n, uint64_t seed) {
  const tf::Tensor labels = tf::random::uniform_int({n}, 0, 3, seed);
  const tf::Tensor centers = tf::constant({{2.f, 0.f, 0.f, 1.f}, {0.f, 2.f, 0.f, -1.f}, {0.f, 0.f, 2.f, 0.f}});
  const tf::Tensor x = tf::gather(centers, labels) + tf::random::normal({n, 4}, 0.f, 0.5f, seed + 1);
  return {x, labels};
}

class TwoDense : public tf::Model {
 public:
  TwoDense() : tf::Model("two_dense") {}
  tf::Tensor call(const tf::Tensor& x, bool) override { return output(hidden(x)); }
  tf::layers::Dense hidden{{.units = 16, .activation = "relu"}};
  tf::layers::Dense output{{.units = 3, .activation = "softmax"}};
};

}  // namespace

TEST(Model, SubclassTracksLayersInCallOrderWithUniqueNames) {
  TwoDense model;
  model.build({-1, 4});
  ASSERT_EQ(model.sublayers().size(), 2u);
  EXPECT_EQ(model.hidden.name(), "dense");
  EXPECT_EQ(model.output.name(), "dense_1");
  const auto vars = model.variables();
  ASSERT_EQ(vars.size(), 4u);
  EXPECT_EQ(vars[0].name(), "dense/kernel");
  EXPECT_EQ(vars[1].name(), "dense/bias");
  EXPECT_EQ(vars[2].name(), "dense_1/kernel");
  EXPECT_EQ(vars[2].shape(), (tf::Shape{16, 3}));
  EXPECT_EQ(model.count_params(), 4 * 16 + 16 + 16 * 3 + 3);
}

TEST(Model, SummaryPrintsKerasTable) {
  TwoDense model;
  model.build({-1, 4});
  std::ostringstream os;
  model.summary(os);
  EXPECT_EQ(os.str(),
            "Model: \"two_dense\"\n"
            "_________________________________________________________________\n"
            "Layer (type)                 Output Shape              Param #   \n"
            "=================================================================\n"
            "dense (Dense)                (None, 16)                80        \n"
            "_________________________________________________________________\n"
            "dense_1 (Dense)              (None, 3)                 51        \n"
            "=================================================================\n"
            "Total params: 131\n"
            "Trainable params: 131\n"
            "Non-trainable params: 0\n"
            "_________________________________________________________________\n");
}

TEST(Model, FitLearnsAndIsDeterministic) {
  const auto [x, y] = blobs(600, 11);
  auto train = [&] {
    tf::random::set_seed(5);
    tf::Sequential model({tf::layers::Dense({.units = 16, .activation = "relu"}),
                          tf::layers::Dense({.units = 3, .activation = "softmax"})});
    model.compile(tf::optimizers::Adam({.learning_rate = 1e-2}), tf::losses::SparseCategoricalCrossentropy(),
                  {"sparse_categorical_accuracy"});
    tf::History h = model.fit(x, y, {.epochs = 5, .batch_size = 50, .verbose = 0, .seed = 3});
    return std::pair{h, model.evaluate(x, y)};
  };
  const auto [history, result] = train();
  ASSERT_EQ(history.history.at("loss").size(), 5u);
  EXPECT_LT(history.history.at("loss").back(), history.history.at("loss").front());
  EXPECT_GE(result.at("sparse_categorical_accuracy"), 0.95);
  EXPECT_EQ(train().first.history.at("loss"), history.history.at("loss"));  // bitwise repeatable
}

TEST(Model, ValidationDataAndEarlyStopping) {
  const auto [x, y] = blobs(200, 21);
  tf::random::set_seed(1);
  tf::Sequential model({tf::layers::Dense({.units = 3, .activation = "softmax"})});
  model.compile(tf::optimizers::SGD({.learning_rate = 0.0}), tf::losses::SparseCategoricalCrossentropy(),
                {"accuracy"});
  auto stop = std::make_shared<tf::callbacks::EarlyStopping>(tf::callbacks::EarlyStoppingOptions{.patience = 1});
  const tf::History h =
      model.fit(x, y, {.epochs = 10, .batch_size = 64, .validation_data = {x, y},
                       .callbacks = {stop}, .verbose = 0});
  // A zero learning rate never improves val_loss: the second epoch without improvement stops training.
  EXPECT_EQ(h.epoch.size(), 2u);
  EXPECT_EQ(h.history.count("val_loss"), 1u);
  EXPECT_EQ(h.history.count("val_accuracy"), 1u);
  EXPECT_EQ(stop->stopped_epoch(), 1);
}

TEST(Model, PredictBatchesAndTrainOnBatch) {
  const auto [x, y] = blobs(70, 31);
  tf::Sequential model({tf::layers::Dense({.units = 3, .activation = "softmax"})});
  model.compile(tf::optimizers::SGD(), tf::losses::SparseCategoricalCrossentropy(), {"accuracy"});
  const tf::Tensor p = model.predict(x, 32);
  EXPECT_EQ(p.shape(), (tf::Shape{70, 3}));
  const auto before = model.test_on_batch(x, y).at("loss");
  for (int i = 0; i < 20; ++i) model.train_on_batch(x, y);
  EXPECT_LT(model.test_on_batch(x, y).at("loss"), before);
}

TEST(Model, FitWithMismatchedLengthsNamesBothShapes) {
  tf::Sequential model({tf::layers::Dense({.units = 3})});
  model.compile(tf::optimizers::SGD(), tf::losses::SparseCategoricalCrossentropy({.from_logits = true}));
  try {
    model.fit(tf::zeros({10, 4}), tf::zeros({9}, tf::int64), {.verbose = 0});
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(), "fit: x and y have different numbers of examples: x is [10, 4], y is [9]");
  }
}

TEST(Model, FitBeforeCompileIsAClearError) {
  tf::Sequential model({tf::layers::Dense({.units = 3})});
  EXPECT_THROW(model.fit(tf::zeros({2, 4}), tf::zeros({2}, tf::int64)), tf::Error);
}

TEST(Model, DenseFedTheWrongRankNamesTheLayerAndShape) {
  tf::layers::Dense dense({.units = 4});
  try {
    dense(tf::zeros({784}));
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(), "dense (Dense): expected inputs of rank >= 2 ([batch, ..., features]), found shape [784]");
  }
  dense(tf::zeros({2, 8}));
  try {
    dense(tf::zeros({2, 9}));
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(), "dense (Dense): expected inputs of shape [batch, ..., 8], found [2, 9]");
  }
}

TEST(ProgressBar, FormatsLikeKeras) {
  using tf::detail::ProgressBar;
  EXPECT_EQ(ProgressBar::bar(1200, 1200), "1200/1200 [==============================]");
  EXPECT_EQ(ProgressBar::bar(300, 1200), " 300/1200 [======>.......................]");
  EXPECT_EQ(ProgressBar::bar(0, 7), "0/7 [..............................]");
  EXPECT_EQ(ProgressBar::format_values({{"loss", 0.312}, {"sparse_categorical_accuracy", 0.91}}),
            " - loss: 0.3120 - sparse_categorical_accuracy: 0.9100");
  EXPECT_EQ(ProgressBar::format_values({{"loss", 0.0001234}}), " - loss: 1.2340e-04");
  EXPECT_EQ(ProgressBar::format_step_time(0.002), "2ms/step");
  EXPECT_EQ(ProgressBar::format_step_time(2.4), "2s/step");
  EXPECT_EQ(ProgressBar::format_step_time(0.0004), "400us/step");
  EXPECT_EQ(ProgressBar::format_eta(75), "1:15");
  EXPECT_EQ(ProgressBar::format_eta(3725), "1:02:05");
  EXPECT_EQ(ProgressBar::format_eta(9), "9s");
}
