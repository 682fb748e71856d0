// Layers: output shapes, parameter counts, Keras numerics on fixed weights, the notes' models' summaries,
// and errors that name the layer and both shapes.
#include <gtest/gtest.h>

#include "error_of.h"

#include <cmath>
#include <sstream>

#include "tapeflow/models/mnist_models.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

using tapeflow::testing::error_of;

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

}  // namespace

TEST(Layers, Conv2DAndPoolingOutputShapes) {
  struct Case {
    std::string padding;
    std::array<int, 2> strides;
    tf::Shape want;
  };
  for (const Case& c : {Case{"same", {1, 1}, {2, 9, 7, 4}}, Case{"valid", {1, 1}, {2, 7, 5, 4}},
                        Case{"same", {2, 2}, {2, 5, 4, 4}}, Case{"valid", {2, 3}, {2, 4, 2, 4}}}) {
    tf::layers::Conv2D conv({.filters = 4, .kernel_size = {3, 3}, .strides = c.strides, .padding = c.padding});
    EXPECT_EQ(conv(tf::zeros({2, 9, 7, 3})).shape(), c.want) << c.padding;
    EXPECT_EQ(conv.count_params(), 3 * 3 * 3 * 4 + 4);
  }
  tf::layers::MaxPool2D pool_valid({.pool_size = {2, 2}});
  EXPECT_EQ(pool_valid(tf::zeros({1, 9, 7, 3})).shape(), (tf::Shape{1, 4, 3, 3}));
  tf::layers::AveragePooling2D pool_same({.pool_size = {2, 2}, .padding = "same"});
  EXPECT_EQ(pool_same(tf::zeros({1, 9, 7, 3})).shape(), (tf::Shape{1, 5, 4, 3}));
  tf::layers::Flatten flatten;
  EXPECT_EQ(flatten(tf::zeros({3, 4, 5})).shape(), (tf::Shape{3, 20}));
  tf::layers::Reshape reshape({.target_shape = {-1, 2}});
  EXPECT_EQ(reshape(tf::zeros({3, 4, 5})).shape(), (tf::Shape{3, 10, 2}));
}

TEST(Layers, DenseComputesInputsTimesKernelPlusBias) {
  tf::layers::Dense dense({.units = 2, .activation = "relu"});
  dense(tf::zeros({1, 3}));
  tf::Variable(dense.kernel()).assign(tf::constant({{1.f, -1.f}, {2.f, 0.f}, {0.5f, 3.f}}));
  tf::Variable(dense.bias()).assign(tf::constant({0.25f, -1.f}));
  // [1, 2, 3] @ K = [6.5, 8]; + b = [6.75, 7]; [-1, 0, 0] @ K = [-1, 1]; + b = [-0.75, 0] -> relu [0, 0].
  expect_near(dense(tf::constant({{1.f, 2.f, 3.f}, {-1.f, 0.f, 0.f}})).numpy<float>(), {6.75f, 7.f, 0.f, 0.f});
}

TEST(Layers, Conv2DSamePaddingMatchesAHandComputedCase) {
  tf::layers::Conv2D conv({.filters = 1, .kernel_size = {3, 3}, .padding = "same", .use_bias = false});
  conv(tf::zeros({1, 3, 3, 1}));
  tf::Variable(conv.kernel()).assign(tf::ones({3, 3, 1, 1}));
  // A 3x3 box sum with zero padding over 1..9.
  expect_near(conv(tf::reshape(tf::arange(1, 10, 1, tf::float32), {1, 3, 3, 1})).numpy<float>(),
              {12, 21, 16, 27, 45, 33, 24, 39, 28});
}

TEST(Layers, MaxPoolPicksTheWindowMaximum) {
  tf::layers::MaxPool2D pool({.pool_size = {2, 2}, .strides = {2, 2}});
  const tf::Tensor x = tf::reshape(tf::arange(0, 16, 1, tf::float32), {1, 4, 4, 1});
  expect_near(pool(x).numpy<float>(), {5, 7, 13, 15});
}

TEST(Layers, LstmCellFollowsKerasGateOrder) {
  // One input, one unit; each gate gets its own input weight so a wrong order changes the result.
  tf::layers::LSTMCell cell({.units = 1});
  auto state = cell.get_initial_state(1);
  const tf::Tensor x = tf::constant({{1.f}});
  cell(x, state);
  const float wi = 0.5f, wf = -1.f, wc = 2.f, wo = 0.25f;
  tf::Variable(cell.kernel()).assign(tf::constant({{wi, wf, wc, wo}}));
  tf::Variable(cell.recurrent_kernel()).assign(tf::constant({{0.1f, 0.2f, 0.3f, 0.4f}}));
  tf::Variable(cell.bias()).assign(tf::constant({0.f, 1.f, 0.f, 0.f}));
  const float h0 = 0.5f, c0 = -0.3f;
  const auto [out, next] = cell(x, {tf::constant({{h0}}), tf::constant({{c0}})});
  auto sigmoid = [](float v) { return 1.f / (1.f + std::exp(-v)); };
  const float i = sigmoid(wi + 0.1f * h0), f = sigmoid(wf + 0.2f * h0 + 1.f), g = std::tanh(wc + 0.3f * h0),
              o = sigmoid(wo + 0.4f * h0);
  const float c = f * c0 + i * g, h = o * std::tanh(c);
  expect_near(out.numpy<float>(), {h});
  expect_near(next[1].numpy<float>(), {c});
}

TEST(Layers, LstmCellStartsWithUnitForgetBiasAndOrthogonalRecurrentKernel) {
  tf::random::set_seed(3);
  tf::layers::LSTMCell cell({.units = 4});
  cell(tf::zeros({2, 3}), cell.get_initial_state(2));
  expect_near(cell.bias().numpy<float>(), {0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0});
  // Orthogonal [4, 16]: its rows are orthonormal.
  const tf::Tensor r = cell.recurrent_kernel();
  expect_near(tf::matmul(r, r, false, true).numpy<float>(), tf::eye(4).numpy<float>(), 1e-5f);
  tf::layers::LSTM lstm({.units = 4, .return_sequences = true});
  EXPECT_EQ(lstm(tf::zeros({2, 5, 3})).shape(), (tf::Shape{2, 5, 4}));
  EXPECT_EQ(lstm.variables()[0].name(), "lstm/lstm_cell/kernel");
}

TEST(Layers, BatchNormalizationUsesBatchThenMovingStatistics) {
  tf::layers::BatchNormalization bn({.momentum = 0.5f, .epsilon = 0.f});
  const tf::Tensor x = tf::constant({{1.f, 10.f}, {3.f, 30.f}});
  expect_near(bn(x, /*training=*/true).numpy<float>(), {-1, -1, 1, 1});
  expect_near(bn.moving_mean().numpy<float>(), {1.f, 10.f});       // 0.5 * 0 + 0.5 * [2, 20]
  expect_near(bn.moving_variance().numpy<float>(), {1.f, 50.5f});  // 0.5 * 1 + 0.5 * [1, 100]
  expect_near(bn(x, /*training=*/false).numpy<float>(), {0.f, 0.f, 2.f, 20.f / std::sqrt(50.5f)}, 1e-5f);
  EXPECT_EQ(bn.trainable_variables().size(), 2u);
  EXPECT_EQ(bn.non_trainable_variables().size(), 2u);
}

TEST(Layers, DropoutOnlyWhenTrainingAndEmbeddingLooksUpRows) {
  tf::layers::Dropout dropout({.rate = 0.5f, .seed = 1});
  const tf::Tensor x = tf::ones({1000});
  EXPECT_EQ(dropout(x, false).numpy<float>(), x.numpy<float>());
  int zeros = 0;
  for (float v : dropout(x, true).numpy<float>()) {
    ASSERT_TRUE(v == 0.f || v == 2.f);
    zeros += v == 0.f;
  }
  EXPECT_NEAR(zeros, 500, 60);
  tf::layers::Embedding embedding({.input_dim = 5, .output_dim = 3});
  const tf::Tensor e = embedding(tf::constant({{4, 0}}));
  EXPECT_EQ(e.shape(), (tf::Shape{1, 2, 3}));
  const auto table = embedding.embeddings().numpy<float>();
  expect_near(e.numpy<float>(), {table[12], table[13], table[14], table[0], table[1], table[2]});
}

TEST(Layers, NotesModelsSummariesMatchKeras) {
  tf::models::MLP mlp;
  mlp.build({-1, 28, 28, 1});
  EXPECT_EQ(mlp.count_params(), 79510);
  tf::Sequential cnn({
      tf::layers::Conv2D({.filters = 32, .kernel_size = {5, 5}, .padding = "same", .activation = "relu"}),
      tf::layers::MaxPool2D({.pool_size = {2, 2}, .strides = {2, 2}}),
      tf::layers::Conv2D({.filters = 64, .kernel_size = {5, 5}, .padding = "same", .activation = "relu"}),
      tf::layers::MaxPool2D({.pool_size = {2, 2}, .strides = {2, 2}}),
      tf::layers::Reshape({.target_shape = {7 * 7 * 64}}),
      tf::layers::Dense({.units = 1024, .activation = "relu"}),
      tf::layers::Dense({.units = 10}),
  });
  cnn.build({-1, 28, 28, 1});
  std::ostringstream os;
  cnn.summary(os);
  EXPECT_EQ(os.str(),
            "Model: \"sequential\"\n"
            "_________________________________________________________________\n"
            "Layer (type)                 Output Shape              Param #   \n"
            "=================================================================\n"
            "conv2d (Conv2D)              (None, 28, 28, 32)        832       \n"
            "_________________________________________________________________\n"
            "max_pooling2d (MaxPooling2D) (None, 14, 14, 32)        0         \n"
            "_________________________________________________________________\n"
            "conv2d_1 (Conv2D)            (None, 14, 14, 64)        51264     \n"
            "_________________________________________________________________\n"
            "max_pooling2d_1 (MaxPooling2 (None, 7, 7, 64)          0         \n"
            "_________________________________________________________________\n"
            "reshape (Reshape)            (None, 3136)              0         \n"
            "_________________________________________________________________\n"
            "dense (Dense)                (None, 1024)              3212288   \n"
            "_________________________________________________________________\n"
            "dense_1 (Dense)              (None, 10)                10250     \n"
            "=================================================================\n"
            "Total params: 3,274,634\n"
            "Trainable params: 3,274,634\n"
            "Non-trainable params: 0\n"
            "_________________________________________________________________\n");
  tf::models::CNN notes_cnn;
  notes_cnn.build({-1, 28, 28, 1});
  EXPECT_EQ(notes_cnn.count_params(), 3274634);
}

TEST(Layers, ErrorsNameTheLayerAndBothShapes) {
  tf::layers::Conv2D conv({.filters = 8, .kernel_size = {5, 5}});
  conv(tf::zeros({2, 28, 28, 1}));
  EXPECT_EQ(error_of([&] { conv(tf::zeros({2, 1, 28, 28})); }),
            "conv2d (Conv2D): expected inputs [batch, height, width, 1] (NHWC), found [2, 1, 28, 28]");
  EXPECT_EQ(error_of([] { tf::layers::Conv2D({.filters = 8, .padding = "full"}); }),
            "conv2d (Conv2D): padding: expected \"same\" or \"valid\", found \"full\"");
  tf::layers::Reshape reshape({.target_shape = {7}});
  EXPECT_EQ(error_of([&] { reshape(tf::zeros({2, 3, 4})); }), "reshape (Reshape): cannot reshape inputs [2, 3, 4] into (batch, 7)");
}
