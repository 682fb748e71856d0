// Layers: output shapes and parameter counts of every layer, Keras default names and weight paths,
// building once, Dropout's seeding, and errors that name the layer and both shapes.
#include <gtest/gtest.h>

#include "error_of.h"

#include <sstream>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

using tapeflow::testing::error_of;

std::vector<std::string> weight_names(const tf::Layer& layer) {
  std::vector<std::string> names;
  for (const tf::Variable& v : layer.variables()) names.push_back(v.name());
  return names;
}

// The notes' RNN shape: a cell stepped by hand inside a model, twice, to see the second one renamed.
class TwoCells : public tf::Model {
 public:
  TwoCells() : tf::Model("two_cells") {}
  tf::Tensor call(const tf::Tensor& x, bool) override {
    auto [h1, s1] = first(x, first.get_initial_state(x.shape()[0]));
    auto [h2, s2] = second(h1, second.get_initial_state(x.shape()[0]));
    return h2;
  }
  tf::layers::LSTMCell first{{.units = 4}};
  tf::layers::LSTMCell second{{.units = 2}};
};

}  // namespace

TEST(LayerShapes, OutputShapesAndParamCounts) {
  const tf::Tensor images = tf::zeros({2, 9, 7, 3});
  tf::layers::Dense dense({.units = 5});
  EXPECT_EQ(dense(tf::zeros({2, 3, 7})).shape(), (tf::Shape{2, 3, 5}));  // over the last dim, as Keras
  EXPECT_EQ(dense.count_params(), 7 * 5 + 5);
  tf::layers::Conv2D dilated({.filters = 4, .kernel_size = {3, 3}, .dilation_rate = {2, 2}, .use_bias = false});
  EXPECT_EQ(dilated(images).shape(), (tf::Shape{2, 5, 3, 4}));  // a 5x5 span
  EXPECT_EQ(dilated.count_params(), 3 * 3 * 3 * 4);
  tf::layers::MaxPool2D pool3({.pool_size = {3, 3}});  // strides default to the pool size
  EXPECT_EQ(pool3(images).shape(), (tf::Shape{2, 3, 2, 3}));
  tf::layers::AveragePooling2D pool_same({.pool_size = {3, 3}, .strides = {1, 1}, .padding = "same"});
  EXPECT_EQ(pool_same(images).shape(), images.shape());
  EXPECT_EQ(pool3.count_params() + pool_same.count_params(), 0);
  tf::layers::Flatten flatten;
  EXPECT_EQ(flatten(images).shape(), (tf::Shape{2, 189}));
  tf::layers::Reshape reshape({.target_shape = {3, -1, 7}});
  EXPECT_EQ(reshape(images).shape(), (tf::Shape{2, 3, 9, 7}));
  tf::layers::Dropout dropout({.rate = 0.3f});
  EXPECT_EQ(dropout(images, true).shape(), images.shape());
  tf::layers::Activation softmax("softmax");
  EXPECT_EQ(softmax(images).shape(), images.shape());
  tf::layers::Embedding embedding({.input_dim = 10, .output_dim = 8});
  EXPECT_EQ(embedding(tf::constant({{1, 2, 3}, {4, 5, 9}})).shape(), (tf::Shape{2, 3, 8}));
  EXPECT_EQ(embedding.count_params(), 80);
  tf::layers::LSTMCell cell({.units = 4});
  const auto [h, state] = cell(tf::zeros({2, 3}), cell.get_initial_state(2));
  EXPECT_EQ(h.shape(), (tf::Shape{2, 4}));
  EXPECT_EQ(state[1].shape(), (tf::Shape{2, 4}));
  EXPECT_EQ(cell.count_params(), 4 * (4 * (3 + 4) + 4));  // kernel [3, 16], recurrent [4, 16], bias [16]
  tf::layers::LSTM lstm({.units = 4});
  EXPECT_EQ(lstm(tf::zeros({2, 6, 3})).shape(), (tf::Shape{2, 4}));
  EXPECT_EQ(lstm.count_params(), cell.count_params());
  tf::layers::BatchNormalization bn;
  EXPECT_EQ(bn(images, true).shape(), images.shape());
  EXPECT_EQ(bn.count_params(), 4 * 3);
  EXPECT_EQ(bn.trainable_variables().size(), 2u);
  tf::layers::BatchNormalization bare({.center = false, .scale = false});
  bare(images);
  EXPECT_EQ(weight_names(bare), (std::vector<std::string>{"batch_normalization/moving_mean",
                                                           "batch_normalization/moving_variance"}));
}

TEST(LayerShapes, KerasNamesAndWeightPathsInAModel) {
  tf::Sequential model({
      tf::layers::Conv2D({.filters = 2, .kernel_size = {3, 3}, .padding = "same"}),
      tf::layers::BatchNormalization(),
      tf::layers::Activation("relu"),
      tf::layers::MaxPool2D(),
      tf::layers::AveragePooling2D(),
      tf::layers::Dropout({.rate = 0.5f}),
      tf::layers::Flatten(),
      tf::layers::Dense({.units = 3}),
  });
  model.build({-1, 8, 8, 1});
  std::vector<std::string> layer_names;
  for (const auto& layer : model.layers()) layer_names.push_back(layer->name());
  EXPECT_EQ(layer_names, (std::vector<std::string>{"conv2d", "batch_normalization", "activation", "max_pooling2d",
                                                    "average_pooling2d", "dropout", "flatten", "dense"}));
  EXPECT_EQ(weight_names(model),
            (std::vector<std::string>{"conv2d/kernel", "conv2d/bias", "batch_normalization/gamma",
                                      "batch_normalization/beta", "batch_normalization/moving_mean",
                                      "batch_normalization/moving_variance", "dense/kernel", "dense/bias"}));
  EXPECT_EQ(model.layers()[5]->output_shape(), (tf::Shape{-1, 2, 2, 2}));
  EXPECT_EQ(model.non_trainable_variables().size(), 2u);

  TwoCells cells;
  cells.build({-1, 3});
  EXPECT_EQ(weight_names(cells), (std::vector<std::string>{"lstm_cell/kernel", "lstm_cell/recurrent_kernel",
                                                            "lstm_cell/bias", "lstm_cell_1/kernel",
                                                            "lstm_cell_1/recurrent_kernel", "lstm_cell_1/bias"}));
  std::ostringstream os;
  cells.summary(os);
  EXPECT_NE(os.str().find("lstm_cell (LSTMCell)         (None, 4)                 128"), std::string::npos) << os.str();
}

TEST(LayerShapes, BuildThenCallCreatesTheWeightsOnce) {
  tf::layers::Conv2D conv({.filters = 2});
  conv.build({-1, 5, 5, 3});
  conv(tf::zeros({1, 5, 5, 3}));
  tf::layers::Embedding embedding({.input_dim = 4, .output_dim = 2});
  embedding.build({-1, 3});
  embedding(tf::constant({{0, 1, 2}}));
  tf::layers::BatchNormalization bn;
  bn.build({-1, 3});
  bn(tf::zeros({2, 3}));
  tf::layers::LSTM lstm({.units = 2});
  lstm.build({-1, 4, 3});  // builds its cell too, as Keras
  EXPECT_EQ(lstm.count_params(), 4 * (2 * (3 + 2) + 2));
  lstm(tf::zeros({1, 4, 3}));
  EXPECT_EQ(conv.variables().size(), 2u);
  EXPECT_EQ(embedding.variables().size(), 1u);
  EXPECT_EQ(bn.variables().size(), 4u);
  EXPECT_EQ(weight_names(lstm), (std::vector<std::string>{"lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel",
                                                           "lstm/lstm_cell/bias"}));
}

TEST(LayerShapes, DropoutIsSeededPerCallAndOffWhenNotTraining) {
  const tf::Tensor x = tf::ones({64});
  tf::layers::Dropout a({.rate = 0.5f, .seed = 7}), b({.rate = 0.5f, .seed = 7});
  const std::vector<float> a1 = a(x, true).numpy<float>(), a2 = a(x, true).numpy<float>();
  EXPECT_NE(a1, a2);  // a fresh mask each step
  EXPECT_EQ(b(x, true).numpy<float>(), a1);
  EXPECT_EQ(b(x, true).numpy<float>(), a2);
  EXPECT_EQ(a(x).numpy<float>(), x.numpy<float>());
  tf::layers::Dropout unseeded({.rate = 0.5f});
  tf::random::set_seed(3);
  const std::vector<float> first = unseeded(x, true).numpy<float>();
  tf::random::set_seed(3);
  EXPECT_EQ(unseeded(x, true).numpy<float>(), first);
}

TEST(LayerShapes, EmbeddingCastsFloatIdsAndRejectsUnknownOnes) {
  tf::layers::Embedding embedding({.input_dim = 4, .output_dim = 2});
  const tf::Tensor by_int = embedding(tf::constant({3, 0}));
  EXPECT_EQ(embedding(tf::constant({3.f, 0.f})).numpy<float>(), by_int.numpy<float>());
  const std::string message = error_of([&] { embedding(tf::constant({1, 4})); });
  EXPECT_EQ(message.rfind("embedding (Embedding): ", 0), 0u) << message;
  EXPECT_NE(message.find("out of range [0, 4)"), std::string::npos) << message;
}

TEST(LayerShapes, ErrorsNameTheLayerAndBothShapes) {
  tf::layers::Dense dense({.units = 10});
  dense(tf::zeros({2, 784}));
  EXPECT_EQ(error_of([&] { dense(tf::zeros({2, 28, 28})); }),
            "dense (Dense): expected inputs of shape [batch, ..., 784], found [2, 28, 28]");
  EXPECT_EQ(error_of([] { tf::layers::Dense({.units = 10})(tf::zeros({784})); }),
            "dense (Dense): expected inputs of rank >= 2 ([batch, ..., features]), found shape [784]");
  tf::layers::Conv2D conv({.filters = 8, .kernel_size = {5, 5}, .name = "c1"});
  conv(tf::zeros({2, 28, 28, 3}));
  EXPECT_EQ(error_of([&] { conv(tf::zeros({2, 28, 28, 1})); }),
            "c1 (Conv2D): expected inputs [batch, height, width, 3] (NHWC), found [2, 28, 28, 1]");
  EXPECT_EQ(error_of([] { tf::layers::Conv2D({.filters = 8})(tf::zeros({28, 28, 1})); }),
            "conv2d (Conv2D): expected inputs [batch, height, width, channels], found shape [28, 28, 1]");
  EXPECT_EQ(error_of([] { tf::layers::Conv2D({.filters = 8, .strides = {0, 1}}); }),
            "conv2d (Conv2D): expected positive kernel_size, strides and dilation_rate, found 3x3, 0x1 and 1x1");
  EXPECT_EQ(error_of([] { tf::layers::MaxPool2D({.padding = "SAME!"}); }),
            "max_pooling2d (MaxPooling2D): padding: expected \"same\" or \"valid\", found \"SAME!\"");
  EXPECT_EQ(error_of([] { tf::layers::AveragePooling2D()(tf::zeros({4, 4})); }),
            "average_pooling2d (AveragePooling2D): expected inputs [batch, height, width, channels], found shape "
            "[4, 4]");
  EXPECT_EQ(error_of([] { tf::layers::Reshape({.target_shape = {-1, -1}}); }),
            "reshape (Reshape): expected a target_shape of sizes >= 0 with at most one -1, found (-1, -1)");
  EXPECT_EQ(error_of([] { tf::layers::Dropout({.rate = 1.f}); }), "dropout (Dropout): rate must be in [0, 1), found 1");

  tf::layers::LSTMCell cell({.units = 4});
  cell(tf::zeros({2, 3}), cell.get_initial_state(2));
  EXPECT_EQ(error_of([&] { cell(tf::zeros({2, 5}), cell.get_initial_state(2)); }),
            "lstm_cell (LSTMCell): expected inputs [batch, 3], found [2, 5]");
  EXPECT_EQ(error_of([&] { cell(tf::zeros({2, 3}), cell.get_initial_state(3)); }),
            "lstm_cell (LSTMCell): expected state tensors [2, 4], found [3, 4]");
  EXPECT_EQ(error_of([] { tf::layers::LSTM({.units = 4})(tf::zeros({2, 3})); }),
            "lstm (LSTM): expected inputs [batch, time >= 1, features], found shape [2, 3]");
  tf::layers::BatchNormalization bn;
  bn(tf::zeros({2, 3}));
  EXPECT_EQ(error_of([&] { bn(tf::zeros({2, 4})); }),
            "batch_normalization (BatchNormalization): expected 3 features along axis 1, found inputs [2, 4]");
}
