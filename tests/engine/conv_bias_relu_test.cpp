// nn::conv2d_bias_relu: the fused CPU op against conv2d + add + relu on awkward geometries, forward and
// gradients, its errors, CPU vs CUDA, and Conv2D(activation relu) taking it in inference and training.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "error_of.h"
#include "tapeflow/profiler.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tf::nn::Padding;

namespace {

using tapeflow::testing::error_of;

struct Geometry {
  tf::Shape input, filters;
  std::array<int, 2> strides, dilations;
  Padding padding;
};
// Odd sizes, batch 1, a 1x1 filter, strides, dilations, both paddings, and the notes' two convolutions.
const Geometry kGeometries[] = {
    {{3, 9, 7, 5}, {3, 2, 5, 6}, {2, 1}, {1, 1}, Padding::kSame},
    {{1, 11, 10, 3}, {3, 3, 3, 17}, {1, 1}, {2, 1}, Padding::kValid},
    {{2, 5, 6, 4}, {1, 1, 4, 33}, {1, 1}, {1, 1}, Padding::kValid},
    {{4, 28, 28, 1}, {5, 5, 1, 32}, {1, 1}, {1, 1}, Padding::kSame},  // the notes' first conv
    {{2, 14, 14, 32}, {5, 5, 32, 64}, {1, 1}, {1, 1}, Padding::kSame},  // the second: Winograd, both ways
};

struct Operands {
  tf::Tensor input, filters, bias;
};
Operands operands_for(const Geometry& g, uint64_t seed) {
  return {tf::random::normal(g.input, 0.f, 1.f, seed), tf::random::normal(g.filters, 0.f, 0.5f, seed + 1),
          tf::random::normal({g.filters[3]}, 0.f, 1.f, seed + 2)};
}
tf::Tensor composed(const Operands& x, const Geometry& g) {
  return tf::nn::relu(tf::add(tf::nn::conv2d(x.input, x.filters, g.strides, g.padding, g.dilations), x.bias));
}
tf::Tensor fused(const Operands& x, const Geometry& g) {
  return tf::nn::conv2d_bias_relu(x.input, x.filters, x.bias, g.strides, g.padding, g.dilations);
}

double relative_error(const tf::Tensor& got, const tf::Tensor& want) {
  const std::vector<float> a = got.numpy<float>(), b = want.numpy<float>();
  double diff = 0, norm = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    norm += double(b[i]) * b[i];
  }
  return std::isfinite(diff) ? std::sqrt(diff / norm) : INFINITY;
}

}  // namespace

TEST(Conv2dBiasRelu, FusedKernelMatchesConvAddRelu) {
  uint64_t seed = 11;
  for (const Geometry& g : kGeometries) {
    const Operands x = operands_for(g, seed += 10);
    const tf::Tensor want = composed(x, g), got = fused(x, g);
    ASSERT_EQ(got.shape(), want.shape()) << g.input.to_string();
    EXPECT_LT(relative_error(got, want), 1e-5) << g.input.to_string() << " * " << g.filters.to_string();
    const std::vector<float> values = got.numpy<float>();
    EXPECT_GT(std::count(values.begin(), values.end(), 0.f), 0) << "the ReLU clamped nothing: a weak case";
  }
}

TEST(Conv2dBiasRelu, GradientsMatchTheThreeOps) {
  uint64_t seed = 3;
  for (const Geometry& g : kGeometries) {
    const Operands x = operands_for(g, seed += 10);
    const tf::Variable input(x.input, "input"), filters(x.filters, "filters"), bias(x.bias, "bias");
    const auto gradients = [&](const std::function<tf::Tensor(const Operands&)>& f) {
      tf::GradientTape tape;
      const tf::Tensor loss = tf::reduce_sum(tf::square(f({input, filters, bias})));
      return tape.gradient(loss, {input, filters, bias});
    };
    const std::vector<tf::Tensor> want = gradients([&](const Operands& o) { return composed(o, g); });
    const std::vector<tf::Tensor> got = gradients([&](const Operands& o) { return fused(o, g); });
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_TRUE(got[i].defined()) << "no gradient for operand " << i;
      // The same products; only the bias gradient's sum runs in another order.
      EXPECT_LT(relative_error(got[i], want[i]), 1e-6) << g.input.to_string() << ", operand " << i;
    }
  }
}

TEST(Conv2dBiasRelu, ErrorsNameTheOpAndWhatWasFound) {
  const Operands x = operands_for(kGeometries[0], 5);
  EXPECT_EQ(error_of([&] { tf::nn::conv2d_bias_relu(x.input, x.filters, tf::zeros({7}), {1, 1}, Padding::kSame); }),
            "conv2d_bias_relu: expected bias [6] (one per filter), found [7]");
  EXPECT_EQ(error_of([&] {
              tf::nn::conv2d_bias_relu(x.input, tf::zeros({3, 2, 4, 6}), x.bias, {1, 1}, Padding::kSame);
            }),
            "conv2d_bias_relu: input has 5 channels but filters expect 4 (input [3, 9, 7, 5], filters [3, 2, 4, 6])");
}

TEST(Conv2dBiasRelu, CudaMatchesTheCpu) {
  if (!tf::cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const tf::Device cuda = tf::Device::cuda();
  uint64_t seed = 71;
  for (const Geometry& g : kGeometries) {
    const Operands x = operands_for(g, seed += 10);
    const tf::Tensor got = fused({x.input.to(cuda), x.filters.to(cuda), x.bias.to(cuda)}, g).to(tf::Device::cpu());
    EXPECT_LT(relative_error(got, fused(x, g)), 1e-5) << g.input.to_string() << " * " << g.filters.to_string();
  }
}

TEST(Conv2dBiasRelu, Conv2DWithReluRunsTheFusedOpForInference) {
  tf::layers::Conv2D conv({.filters = 8, .kernel_size = {3, 3}, .padding = "same", .activation = "relu"});
  const tf::Tensor images = tf::random::normal({2, 9, 9, 3}, 0.f, 1.f, 9);
  (void)conv(images);  // builds the weights
  tf::profiler::start();
  const tf::Tensor y = conv(images);
  std::vector<std::string> ops;
  for (const tf::profiler::TraceEvent& e : tf::profiler::stop())
    if (std::string(e.category) == "op") ops.push_back(e.name);
  EXPECT_EQ(ops, std::vector<std::string>{"conv2d_bias_relu"});
  const std::vector<tf::Variable> w = conv.trainable_variables();
  const Geometry g{images.shape(), w[0].shape(), {1, 1}, {1, 1}, Padding::kSame};
  EXPECT_LT(relative_error(y, composed({images, w[0], w[1]}, g)), 1e-5);
}

TEST(Conv2dBiasRelu, Conv2DWithReluTrainsThroughTheFusedOp) {
  tf::layers::Conv2D conv({.filters = 8, .kernel_size = {3, 3}, .padding = "same", .activation = "relu"});
  const tf::Tensor images = tf::random::normal({2, 9, 9, 3}, 0.f, 1.f, 9);
  (void)conv(images);
  tf::profiler::start();
  std::vector<tf::Tensor> grads;
  {
    tf::GradientTape tape;
    const tf::Tensor loss = tf::reduce_sum(conv(images, true));
    const std::vector<tf::Variable> w = conv.trainable_variables();
    grads = tape.gradient(loss, {w[0], w[1]});
  }
  std::vector<std::string> ops;
  for (const tf::profiler::TraceEvent& e : tf::profiler::stop())
    if (std::string(e.category) == "op") ops.push_back(e.name);
  EXPECT_NE(std::find(ops.begin(), ops.end(), "conv2d_bias_relu"), ops.end());
  EXPECT_EQ(std::find(ops.begin(), ops.end(), "relu"), ops.end()) << "the ReLU ran apart";
  ASSERT_EQ(grads.size(), 2u);
  EXPECT_TRUE(grads[0].defined() && grads[1].defined());
}

TEST(Conv2dBiasRelu, ActivationIsKnowsReluByNameAndAsTheFunctionOnly) {
  EXPECT_TRUE(tf::activations::Activation("relu").is(tf::nn::relu));
  EXPECT_TRUE(tf::activations::Activation(tf::nn::relu).is(tf::nn::relu));
  EXPECT_FALSE(tf::activations::Activation("linear").is(tf::nn::relu));
  EXPECT_FALSE(tf::activations::Activation("sigmoid").is(tf::nn::relu));
  const tf::activations::Activation custom([](const tf::Tensor& t) { return tf::nn::relu(t); }, "relu");
  EXPECT_FALSE(custom.is(tf::nn::relu)) << "a custom function named relu is not fused";
}
