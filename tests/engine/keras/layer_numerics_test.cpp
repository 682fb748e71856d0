// Layer outputs against naive loops written here from Keras's definitions (independent of the ops the
// layers call): Dense, Conv2D over padding/stride/dilation, both poolings, LSTMCell and LSTM,
// BatchNormalization. Inputs are seeded, so every run compares the same numbers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

void expect_near(const std::vector<float>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tol) << "element " << i;
}

std::vector<double> values(const tf::Tensor& t) {
  const std::vector<float> v = t.numpy<float>();
  return {v.begin(), v.end()};
}

// One spatial dim under TF's padding rules: the output size and the padding placed before.
struct Dim {
  int64_t out, pad_before;
};
Dim tf_dim(int64_t in, int64_t k, int64_t stride, int64_t dilation, bool same) {
  const int64_t span = (k - 1) * dilation + 1;
  if (!same) return {(in - span) / stride + 1, 0};
  const int64_t out = (in + stride - 1) / stride;
  return {out, std::max<int64_t>((out - 1) * stride + span - in, 0) / 2};
}

struct ConvCase {
  int kh, kw, sh, sw, dh, dw;
  const char* padding;
};

// x [n, h, w, c], kernel [kh, kw, c, o], bias [o] -> [n, oh, ow, o]; zero outside the input.
std::vector<double> naive_conv(const std::vector<double>& x, const tf::Shape& xs, const std::vector<double>& k,
                               int64_t o, const std::vector<double>& bias, const ConvCase& cc) {
  const int64_t n = xs[0], h = xs[1], w = xs[2], c = xs[3];
  const bool same = std::string(cc.padding) == "same";
  const Dim dy = tf_dim(h, cc.kh, cc.sh, cc.dh, same), dx = tf_dim(w, cc.kw, cc.sw, cc.dw, same);
  std::vector<double> out;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < dy.out; ++oy)
      for (int64_t ox = 0; ox < dx.out; ++ox)
        for (int64_t f = 0; f < o; ++f) {
          double sum = bias[f];
          for (int64_t ky = 0; ky < cc.kh; ++ky)
            for (int64_t kx = 0; kx < cc.kw; ++kx) {
              const int64_t iy = oy * cc.sh + ky * cc.dh - dy.pad_before, ix = ox * cc.sw + kx * cc.dw - dx.pad_before;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (int64_t ch = 0; ch < c; ++ch)
                sum += x[((b * h + iy) * w + ix) * c + ch] * k[((ky * cc.kw + kx) * c + ch) * o + f];
            }
          out.push_back(sum);
        }
  return out;
}

// Max or mean over each window's elements inside the input (TF ignores the padding for both).
std::vector<double> naive_pool(const std::vector<double>& x, const tf::Shape& xs, int k, int s, bool same, bool max) {
  const int64_t n = xs[0], h = xs[1], w = xs[2], c = xs[3];
  const Dim dy = tf_dim(h, k, s, 1, same), dx = tf_dim(w, k, s, 1, same);
  std::vector<double> out;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < dy.out; ++oy)
      for (int64_t ox = 0; ox < dx.out; ++ox)
        for (int64_t ch = 0; ch < c; ++ch) {
          double acc = max ? -std::numeric_limits<double>::infinity() : 0;
          int count = 0;
          for (int64_t iy = oy * s - dy.pad_before; iy < oy * s - dy.pad_before + k; ++iy)
            for (int64_t ix = ox * s - dx.pad_before; ix < ox * s - dx.pad_before + k; ++ix) {
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              const double v = x[((b * h + iy) * w + ix) * c + ch];
              acc = max ? std::max(acc, v) : acc + v;
              ++count;
            }
          out.push_back(max ? acc : acc / count);
        }
  return out;
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

// One Keras LSTM step for batch row b: z = x K + h R + bias, gates i, f, c, o in that column order.
struct LstmWeights {
  std::vector<double> kernel, recurrent, bias;
  int64_t in, units;
};
void naive_lstm_step(const LstmWeights& wt, const std::vector<double>& x, std::vector<double>& h,
                     std::vector<double>& c, int64_t batch) {
  const int64_t u = wt.units;
  std::vector<double> h_next(h.size()), c_next(c.size());
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < u; ++j) {
      double z[4];
      for (int g = 0; g < 4; ++g) {
        const int64_t col = g * u + j;
        z[g] = wt.bias[col];
        for (int64_t q = 0; q < wt.in; ++q) z[g] += x[b * wt.in + q] * wt.kernel[q * 4 * u + col];
        for (int64_t q = 0; q < u; ++q) z[g] += h[b * u + q] * wt.recurrent[q * 4 * u + col];
      }
      const double i = sigmoid(z[0]), f = sigmoid(z[1]), g = std::tanh(z[2]), o = sigmoid(z[3]);
      c_next[b * u + j] = f * c[b * u + j] + i * g;
      h_next[b * u + j] = o * std::tanh(c_next[b * u + j]);
    }
  h = h_next;
  c = c_next;
}

}  // namespace

TEST(LayerNumerics, DenseMatchesNaiveLoops) {
  tf::random::set_seed(21);
  tf::layers::Dense dense({.units = 5, .activation = "tanh", .bias_initializer = "random_normal"});
  const tf::Tensor x = tf::random::normal({3, 7}, 0.f, 1.f, 1);
  const std::vector<double> got = values(dense(x));
  const std::vector<double> xv = values(x), k = values(dense.kernel()), bias = values(dense.bias());
  std::vector<double> want;
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 5; ++j) {
      double sum = bias[j];
      for (int q = 0; q < 7; ++q) sum += xv[b * 7 + q] * k[q * 5 + j];
      want.push_back(std::tanh(sum));
    }
  expect_near(dense(x).numpy<float>(), want, 1e-5);
  EXPECT_EQ(got, values(dense(x)));  // the same call twice gives the same bits
}

TEST(LayerNumerics, Conv2DMatchesNaiveLoopsForPaddingStridesAndDilation) {
  const tf::Shape xs{2, 7, 6, 3};
  const tf::Tensor x = tf::random::normal(xs, 0.f, 1.f, 2);
  for (const ConvCase& cc : {ConvCase{3, 3, 1, 1, 1, 1, "same"}, ConvCase{3, 3, 1, 1, 1, 1, "valid"},
                             ConvCase{3, 2, 2, 2, 1, 1, "same"}, ConvCase{2, 3, 2, 3, 1, 1, "valid"},
                             ConvCase{3, 3, 1, 1, 2, 2, "same"}, ConvCase{2, 2, 1, 1, 2, 3, "valid"},
                             ConvCase{4, 4, 3, 3, 1, 1, "same"}}) {
    SCOPED_TRACE(fmt::format("{}x{} strides {}x{} dilation {}x{} {}", cc.kh, cc.kw, cc.sh, cc.sw, cc.dh, cc.dw,
                             cc.padding));
    tf::random::set_seed(5);
    tf::layers::Conv2D conv({.filters = 4,
                             .kernel_size = {cc.kh, cc.kw},
                             .strides = {cc.sh, cc.sw},
                             .padding = cc.padding,
                             .dilation_rate = {cc.dh, cc.dw},
                             .bias_initializer = "random_normal"});
    const tf::Tensor y = conv(x);
    const bool same = std::string(cc.padding) == "same";
    const tf::Shape want_shape{2, tf_dim(7, cc.kh, cc.sh, cc.dh, same).out, tf_dim(6, cc.kw, cc.sw, cc.dw, same).out, 4};
    EXPECT_EQ(y.shape(), want_shape);
    expect_near(y.numpy<float>(), naive_conv(values(x), xs, values(conv.kernel()), 4, values(conv.bias()), cc), 1e-4);
  }
}

TEST(LayerNumerics, PoolingMatchesNaiveLoops) {
  const tf::Shape xs{2, 7, 5, 3};
  const tf::Tensor x = tf::random::normal(xs, 0.f, 1.f, 3);
  for (const bool same : {false, true})
    for (const auto& [k, s] : {std::pair{2, 2}, std::pair{3, 2}, std::pair{3, 1}}) {
      SCOPED_TRACE(fmt::format("pool {} stride {} {}", k, s, same ? "same" : "valid"));
      const tf::layers::Pool2DOptions options{.pool_size = {k, k}, .strides = {s, s}, .padding = same ? "same" : "valid"};
      tf::layers::MaxPool2D max_pool(options);
      tf::layers::AveragePooling2D avg_pool(options);
      expect_near(max_pool(x).numpy<float>(), naive_pool(values(x), xs, k, s, same, true), 0);
      expect_near(avg_pool(x).numpy<float>(), naive_pool(values(x), xs, k, s, same, false), 1e-6);
    }
}

TEST(LayerNumerics, LstmCellMatchesNaiveStepsWithEveryGateDistinct) {
  tf::random::set_seed(8);
  tf::layers::LSTMCell cell({.units = 3, .bias_initializer = "random_normal"});
  const tf::Tensor x0 = tf::random::normal({2, 4}, 0.f, 1.f, 4), x1 = tf::random::normal({2, 4}, 0.f, 1.f, 5);
  std::vector<tf::Tensor> state = cell.get_initial_state(2);
  tf::Tensor out;
  std::tie(out, state) = cell(x0, state);
  std::tie(out, state) = cell(x1, state);
  // Random weights give every gate's columns different values, so a swapped gate order shows.
  const LstmWeights wt{values(cell.kernel()), values(cell.recurrent_kernel()), values(cell.bias()), 4, 3};
  std::vector<double> h(6, 0.0), c(6, 0.0);
  naive_lstm_step(wt, values(x0), h, c, 2);
  naive_lstm_step(wt, values(x1), h, c, 2);
  expect_near(out.numpy<float>(), h, 1e-5);
  expect_near(state[0].numpy<float>(), h, 1e-5);
  expect_near(state[1].numpy<float>(), c, 1e-5);
}

TEST(LayerNumerics, LstmRunsItsCellOverTime) {
  tf::random::set_seed(9);
  const tf::Tensor x = tf::random::normal({2, 5, 3}, 0.f, 1.f, 6);
  tf::layers::LSTM seq({.units = 4, .return_sequences = true});
  tf::layers::LSTM last({.units = 4});
  const tf::Tensor all = seq(x);
  const LstmWeights wt{values(seq.cell().kernel()), values(seq.cell().recurrent_kernel()), values(seq.cell().bias()),
                       3, 4};
  std::vector<double> h(8, 0.0), c(8, 0.0), want(2 * 5 * 4);
  const std::vector<double> xv = values(x);
  for (int t = 0; t < 5; ++t) {
    std::vector<double> x_t;
    for (int b = 0; b < 2; ++b) x_t.insert(x_t.end(), xv.begin() + (b * 5 + t) * 3, xv.begin() + (b * 5 + t + 1) * 3);
    naive_lstm_step(wt, x_t, h, c, 2);
    for (int b = 0; b < 2; ++b) std::copy(h.begin() + b * 4, h.begin() + (b + 1) * 4, want.begin() + (b * 5 + t) * 4);
  }
  expect_near(all.numpy<float>(), want, 1e-5);
  last(x);
  for (size_t i = 0; i < 3; ++i) tf::Variable(last.cell().variables()[i]).assign(seq.cell().variables()[i]);
  expect_near(last(x).numpy<float>(), h, 1e-5);  // the last step of the same sequence
}

TEST(LayerNumerics, BatchNormalizationMatchesPerChannelStatistics) {
  const tf::Shape xs{3, 2, 2, 2};  // channels last
  const tf::Tensor x = tf::random::normal(xs, 1.f, 2.f, 7);
  tf::layers::BatchNormalization bn({.momentum = 0.9f});
  const std::vector<double> got = values(bn(x, /*training=*/true));
  const std::vector<double> xv = values(x);
  for (int ch = 0; ch < 2; ++ch) {
    double mean = 0, var = 0;
    for (size_t i = ch; i < xv.size(); i += 2) mean += xv[i] / 12;
    for (size_t i = ch; i < xv.size(); i += 2) var += (xv[i] - mean) * (xv[i] - mean) / 12;  // biased, as Keras
    for (size_t i = ch; i < xv.size(); i += 2) ASSERT_NEAR(got[i], (xv[i] - mean) / std::sqrt(var + 1e-3), 1e-5);
    EXPECT_NEAR(bn.moving_mean().numpy<float>()[ch], 0.1 * mean, 1e-6);
    EXPECT_NEAR(bn.moving_variance().numpy<float>()[ch], 0.9 + 0.1 * var, 1e-5);
  }
  // Inference normalises with the moving statistics and leaves them alone.
  const std::vector<float> moving_mean = bn.moving_mean().numpy<float>();
  const std::vector<double> inference = values(bn(x, /*training=*/false));
  for (size_t i = 0; i < xv.size(); ++i)
    ASSERT_NEAR(inference[i], (xv[i] - moving_mean[i % 2]) / std::sqrt(bn.moving_variance().numpy<float>()[i % 2] + 1e-3),
                1e-5);
  EXPECT_EQ(bn.moving_mean().numpy<float>(), moving_mean);
}

TEST(LayerNumerics, BatchNormalizationAlongAxisOneAndGradientThroughBatchStatistics) {
  // NCHW-style axis = 1: statistics per dim-1 slice.
  tf::layers::BatchNormalization bn({.axis = 1, .epsilon = 0.f});
  const tf::Tensor x = tf::constant({{{1.f, 3.f}, {10.f, 10.f}}, {{5.f, 7.f}, {20.f, 40.f}}});  // [2, 2, 2]
  // Channel 0 holds 1, 3, 5, 7 (mean 4, variance 5); channel 1 holds 10, 10, 20, 40 (mean 20, variance 150).
  const double s0 = std::sqrt(5.0), s1 = std::sqrt(150.0);
  expect_near(bn(x, true).numpy<float>(), {-3 / s0, -1 / s0, -10 / s1, -10 / s1, 1 / s0, 3 / s0, 0, 20 / s1}, 1e-5);
  // sum(output) is the same for every x, since each channel's normalised values sum to zero: the
  // gradient is zero only if it flows through the batch mean and variance.
  tf::GradientTape tape;
  tape.watch(x);
  const tf::Tensor grad = tape.gradient(tf::reduce_sum(bn(x, true)), x);
  for (float g : grad.numpy<float>()) EXPECT_NEAR(g, 0.f, 1e-5f);
}
