// The nn family beyond the op table: TF's padding rule, errors users see, dropout's randomness, and
// numerical stability of the softmax family.
#include <gtest/gtest.h>

#include "error_of.h"
#include <omp.h>

#include <cmath>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tf::nn::Padding;

namespace {

using tapeflow::testing::error_of;

// Output size and padding before, as TensorFlow computes them (tf.nn.conv2d / tf.nn.max_pool2d).
struct PaddingRow {
  int64_t input, window;
  int stride, dilation;
  Padding padding;
  int64_t out, before;
};
const PaddingRow kPaddingRows[] = {
    {28, 5, 1, 1, Padding::kSame, 28, 2},   // the notes' first conv
    {28, 5, 1, 1, Padding::kValid, 24, 0},
    {28, 2, 2, 1, Padding::kSame, 14, 0},   // the notes' pooling
    {7, 3, 2, 1, Padding::kSame, 4, 1},
    {8, 3, 2, 1, Padding::kSame, 4, 0},     // odd total padding: the smaller half goes before
    {7, 2, 2, 1, Padding::kSame, 4, 0},
    {10, 3, 3, 1, Padding::kSame, 4, 1},
    {9, 3, 2, 1, Padding::kValid, 4, 0},
    {7, 3, 2, 1, Padding::kValid, 3, 0},
    {9, 3, 1, 2, Padding::kSame, 9, 2},     // dilation 2: the window spans 5
    {9, 3, 1, 2, Padding::kValid, 5, 0},
    {9, 3, 2, 2, Padding::kValid, 3, 0},
    {2, 5, 1, 1, Padding::kSame, 2, 2},     // window larger than the input
    {5, 5, 1, 1, Padding::kValid, 1, 0},
    {1, 1, 1, 1, Padding::kSame, 1, 0},
};

TEST(NnPadding, MatchesTensorFlowRule) {
  for (const PaddingRow& r : kPaddingRows) {
    SCOPED_TRACE(::testing::Message() << "input " << r.input << ", window " << r.window << ", stride " << r.stride
                                      << ", dilation " << r.dilation
                                      << (r.padding == Padding::kSame ? " same" : " valid"));
    EXPECT_EQ(tf::nn::conv_output_size(r.input, r.window, r.stride, r.dilation, r.padding), r.out);
    EXPECT_EQ(tf::nn::conv_padding_before(r.input, r.window, r.stride, r.dilation, r.padding), r.before);
  }
}

TEST(NnPadding, ParsesKerasAndTensorFlowSpellings) {
  EXPECT_EQ(tf::nn::parse_padding("same"), Padding::kSame);
  EXPECT_EQ(tf::nn::parse_padding("SAME"), Padding::kSame);
  EXPECT_EQ(tf::nn::parse_padding("valid"), Padding::kValid);
  EXPECT_EQ(tf::nn::parse_padding("VALID"), Padding::kValid);
  EXPECT_EQ(error_of([] { tf::nn::parse_padding("Same"); }), "padding: expected \"same\" or \"valid\", found \"Same\"");
}

TEST(NnShapes, NotesCnnShapes) {
  const tf::Tensor x = tf::zeros({50, 28, 28, 1});
  const tf::Tensor c1 = tf::nn::conv2d(x, tf::zeros({5, 5, 1, 32}), {1, 1}, Padding::kSame);
  EXPECT_EQ(c1.shape(), tf::Shape({50, 28, 28, 32}));
  const tf::Tensor p1 = tf::nn::max_pool2d(c1, {2, 2}, {2, 2}, Padding::kSame);
  EXPECT_EQ(p1.shape(), tf::Shape({50, 14, 14, 32}));
  const tf::Tensor c2 = tf::nn::conv2d(p1, tf::zeros({5, 5, 32, 64}), {1, 1}, Padding::kSame);
  EXPECT_EQ(c2.shape(), tf::Shape({50, 14, 14, 64}));
  EXPECT_EQ(tf::nn::avg_pool2d(c2, {3, 3}, {2, 2}, Padding::kValid).shape(), tf::Shape({50, 6, 6, 64}));
}

TEST(NnErrors, Conv2dNamesBothShapes) {
  const tf::Tensor filters = tf::zeros({5, 5, 1, 32});
  EXPECT_EQ(error_of([&] { tf::nn::conv2d(tf::zeros({2, 28, 28, 3}), filters, {1, 1}, Padding::kSame); }),
            "conv2d: input has 3 channels but filters expect 1 (input [2, 28, 28, 3], filters [5, 5, 1, 32])");
  EXPECT_EQ(error_of([&] { tf::nn::conv2d(tf::zeros({28, 28, 1}), filters, {1, 1}, Padding::kSame); }),
            "conv2d: expected input [N, H, W, C] and filters [KH, KW, C, O], found input [28, 28, 1] and filters "
            "[5, 5, 1, 32]");
  EXPECT_EQ(error_of([] { tf::nn::conv2d(tf::zeros({1, 3, 3, 1}), tf::zeros({5, 5, 1, 2}), {1, 1}, Padding::kValid); }),
            "conv2d: a 5x5 window (dilation 1x1) does not fit a 3x3 input with VALID padding");
  EXPECT_EQ(error_of([] { tf::nn::conv2d(tf::zeros({1, 3, 3, 1}), tf::zeros({1, 1, 1, 2}), {0, 1}, Padding::kSame); }),
            "conv2d: strides and dilations must be positive, found strides [0, 1], dilations [1, 1]");
}

TEST(NnErrors, PoolNamesTheProblem) {
  EXPECT_EQ(error_of([] { tf::nn::max_pool2d(tf::zeros({4, 4, 1}), {2, 2}, {2, 2}, Padding::kSame); }),
            "max_pool2d: expected input [N, H, W, C], found [4, 4, 1]");
  EXPECT_EQ(error_of([] { tf::nn::avg_pool2d(tf::zeros({1, 2, 2, 1}), {3, 3}, {1, 1}, Padding::kValid); }),
            "avg_pool2d: a 3x3 window (dilation 1x1) does not fit a 2x2 input with VALID padding");
}

TEST(NnErrors, SparseXentNamesTheBadLabel) {
  const tf::Tensor logits = tf::zeros({3, 10});
  EXPECT_EQ(error_of([&] { tf::nn::sparse_softmax_cross_entropy_with_logits(tf::constant({1, 12, 3}), logits); }),
            "sparse_softmax_cross_entropy_with_logits: label 12 at position 1 is out of range for 10 classes "
            "(expected 0 <= label < 10)");
  EXPECT_EQ(error_of([&] {
              tf::nn::sparse_softmax_cross_entropy_with_logits(tf::constant<int64_t>({-1, 0, 0}), logits);
            }),
            "sparse_softmax_cross_entropy_with_logits: label -1 at position 0 is out of range for 10 classes "
            "(expected 0 <= label < 10)");
  EXPECT_EQ(error_of([&] { tf::nn::sparse_softmax_cross_entropy_with_logits(tf::constant({1, 2}), logits); }),
            "sparse_softmax_cross_entropy_with_logits: labels [2] must have logits' shape without its last dim: "
            "[3, 10] -> [3]");
  EXPECT_EQ(error_of([&] { tf::nn::sparse_softmax_cross_entropy_with_logits(tf::zeros({3}), logits); }),
            "sparse_softmax_cross_entropy_with_logits: expected int32 or int64 labels, found float32");
}

TEST(NnSoftmax, StableForHugeLogits) {
  const tf::Tensor logits = tf::constant({{1000.f, 1001.f, 1002.f}, {-1000.f, -1001.f, -1002.f}});
  const std::vector<float> p = tf::nn::softmax(logits).numpy<float>();
  const std::vector<float> want = tf::nn::softmax(tf::constant({{0.f, 1.f, 2.f}})).numpy<float>();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(p[i], want[i], 1e-6);
    EXPECT_NEAR(p[3 + i], want[2 - i], 1e-6);
  }
  const std::vector<float> lp = tf::nn::log_softmax(logits).numpy<float>();
  EXPECT_NEAR(lp[2], std::log(want[2]), 1e-5);
  const std::vector<float> loss =
      tf::nn::sparse_softmax_cross_entropy_with_logits(tf::constant({2, 2}), logits).numpy<float>();
  EXPECT_NEAR(loss[0], -std::log(want[2]), 1e-5);
  EXPECT_NEAR(loss[1], -std::log(want[0]), 1e-5);
}

TEST(NnSoftmax, XentGradientIsSoftmaxMinusOneHot) {
  const tf::Tensor logits = tf::constant({{0.5f, -1.f, 2.f}});
  tf::GradientTape tape;
  tape.watch(logits);
  const tf::Tensor loss = tf::nn::sparse_softmax_cross_entropy_with_logits(tf::constant({1}), logits);
  const std::vector<float> g = tape.gradient(loss, logits).numpy<float>();
  const std::vector<float> p = tf::nn::softmax(logits).numpy<float>();
  EXPECT_NEAR(g[0], p[0], 1e-6);
  EXPECT_NEAR(g[1], p[1] - 1.f, 1e-6);
  EXPECT_NEAR(g[2], p[2], 1e-6);
}

TEST(NnPool, MaxRoutesTheGradientToTheMaximum) {
  // One 2x2 window per output; the maxima sit at different corners.
  const tf::Tensor x = tf::constant<float>({1, 9, 2, 3, 4, 5, 8, 7, 6, 0, 1, 2, 3, 4, 5, 6}, {1, 4, 4, 1});
  tf::GradientTape tape;
  tape.watch(x);
  const tf::Tensor y = tf::nn::max_pool2d(x, {2, 2}, {2, 2}, Padding::kValid);
  EXPECT_EQ(y.numpy<float>(), (std::vector<float>{9, 8, 6, 6}));
  const tf::Tensor g = tape.gradient(tf::reduce_sum(y * tf::constant<float>({1, 2, 3, 4}, {1, 2, 2, 1})), x);
  EXPECT_EQ(g.numpy<float>(), (std::vector<float>{0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 4}));
}

TEST(NnPool, AvgCountsOnlyInBoundsElementsUnderSame) {
  // 3x3 input, 2x2 windows at stride 2 under SAME: the last row and column of windows hang over the edge.
  const tf::Tensor x = tf::constant<float>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 3, 3, 1});
  const tf::Tensor y = tf::nn::avg_pool2d(x, {2, 2}, {2, 2}, Padding::kSame);
  EXPECT_EQ(y.numpy<float>(), (std::vector<float>{3, 4.5f, 7.5f, 9}));
}

TEST(NnDropout, SeededMaskIsReproducibleAndScaled) {
  const tf::Tensor x = tf::ones({300, 1000});
  const std::vector<float> a = tf::nn::dropout(x, 0.3f, true, 5).numpy<float>();
  EXPECT_EQ(tf::nn::dropout(x, 0.3f, true, 5).numpy<float>(), a);
  EXPECT_NE(tf::nn::dropout(x, 0.3f, true, 6).numpy<float>(), a);
  int64_t dropped = 0;
  for (float v : a) {
    if (v == 0.f) {
      ++dropped;
    } else {
      EXPECT_FLOAT_EQ(v, 1.f / 0.7f);
    }
  }
  // 300k draws: the dropped fraction is within 0.005 of the rate with overwhelming probability (~5.5 sigma).
  EXPECT_NEAR(double(dropped) / double(a.size()), 0.3, 0.005);
}

TEST(NnDropout, MaskDoesNotDependOnThreadCount) {
  const tf::Tensor x = tf::random::normal({513, 257}, 0.f, 1.f, 3);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<float> one = tf::nn::dropout(x, 0.5f, true, 11).numpy<float>();
  omp_set_num_threads(std::max(threads, 2));
  const std::vector<float> many = tf::nn::dropout(x, 0.5f, true, 11).numpy<float>();
  omp_set_num_threads(threads);
  EXPECT_EQ(one, many);
}

TEST(NnDropout, UnseededFollowsTheGlobalSeed) {
  const tf::Tensor x = tf::ones({64, 33});
  tf::random::set_seed(1234);
  const std::vector<float> first = tf::nn::dropout(x, 0.5f).numpy<float>();
  const std::vector<float> second = tf::nn::dropout(x, 0.5f).numpy<float>();
  EXPECT_NE(first, second);  // each call draws fresh bits
  tf::random::set_seed(1234);
  EXPECT_EQ(tf::nn::dropout(x, 0.5f).numpy<float>(), first);
  EXPECT_EQ(tf::nn::dropout(x, 0.5f).numpy<float>(), second);
}

TEST(NnDropout, InferenceIsTheIdentityAndTheGradientUsesTheSameMask) {
  const tf::Tensor x = tf::random::normal({7, 9}, 0.f, 1.f, 1);
  EXPECT_EQ(tf::nn::dropout(x, 0.5f, false).numpy<float>(), x.numpy<float>());
  EXPECT_EQ(tf::nn::dropout(x, 0.f).numpy<float>(), x.numpy<float>());
  tf::GradientTape tape;
  tape.watch(x);
  const tf::Tensor y = tf::nn::dropout(x, 0.25f, true, 9);
  const std::vector<float> g = tape.gradient(tf::reduce_sum(y), x).numpy<float>();
  const std::vector<float> yv = y.numpy<float>(), xv = x.numpy<float>();
  for (size_t i = 0; i < g.size(); ++i) EXPECT_FLOAT_EQ(g[i] * xv[i], yv[i]);
}

TEST(NnDropout, RateOutsideZeroOneIsAnError) {
  EXPECT_EQ(error_of([] { tf::nn::dropout(tf::ones({2}), 1.f); }), "dropout: rate must be in [0, 1), found 1");
  EXPECT_EQ(error_of([] { tf::nn::dropout(tf::ones({2}), -0.1f); }), "dropout: rate must be in [0, 1), found -0.1");
}

}  // namespace
