// The direct convolution for few input channels (kernels/cpu/conv_few_channels.h) against a double-precision
// convolution, for both instruction sets: filter sizes, paddings and row widths that leave partial pixel blocks,
// output channel counts that fill no vector, bias and ReLU, and an output large enough to be streamed; its filter
// gradient against a double-precision sum, on the same geometries.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu/conv_few_channels.h"
#include "kernels/cpu/cpu_features.h"
#include "random_values.h"

namespace kc = tapeflow::kernels::cpu;
using tapeflow::testing::random_values;
using tapeflow::kernels::Conv2DGeometry;

namespace {

// Stride 1; pads as given, the output as large as they allow.
Conv2DGeometry geometry(int64_t n, int64_t h, int64_t w, int64_t c, int64_t kh, int64_t kw, int64_t o, int64_t pad_top,
                        int64_t pad_bottom, int64_t pad_left, int64_t pad_right) {
  return {n, h, w, c, kh, kw, o, h + pad_top + pad_bottom - kh + 1, w + pad_left + pad_right - kw + 1, 1, 1, 1, 1,
          pad_top, pad_left};
}
Conv2DGeometry same_5x5(int64_t n, int64_t h, int64_t w, int64_t c, int64_t o) {
  return geometry(n, h, w, c, 5, 5, o, 2, 2, 2, 2);
}

// The notes' conv1 (28x28, 1 -> 32, 5x5 SAME) and RGB; rows narrower than one pixel block, and wider than two;
// 1, 5, 33 and 80 output channels; even and asymmetric padding; an image smaller than the filter; a 1x1 filter.
const Conv2DGeometry kGeometries[] = {
    same_5x5(2, 28, 28, 1, 32),
    same_5x5(1, 13, 31, 3, 33),
    geometry(2, 9, 7, 2, 3, 3, 5, 1, 1, 1, 1),
    geometry(1, 8, 40, 4, 4, 2, 64, 2, 1, 0, 1),
    geometry(3, 6, 9, 1, 3, 3, 1, 0, 0, 0, 0),
    same_5x5(1, 3, 2, 2, 16),
    geometry(2, 5, 6, 3, 1, 1, 24, 0, 0, 0, 0),
    geometry(1, 1, 9, 2, 1, 3, 80, 0, 0, 1, 1),  // 80 channels: blocks of 4 vectors and 1; one row, threads idle
};

std::string describe(const Conv2DGeometry& g) {
  return std::to_string(g.n) + "x" + std::to_string(g.h) + "x" + std::to_string(g.w) + "x" + std::to_string(g.c) +
         " * " + std::to_string(g.kh) + "x" + std::to_string(g.kw) + " -> " + std::to_string(g.o) + ", pads " +
         std::to_string(g.pad_top) + "/" + std::to_string(g.pad_left);
}

// conv2d + bias (+ ReLU) in double precision.
std::vector<double> direct(const std::vector<float>& x, const std::vector<float>& f, const std::vector<float>& bias,
                           bool relu, const Conv2DGeometry& g) {
  std::vector<double> y(g.n * g.oh * g.ow * g.o);
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t oc = 0; oc < g.o; ++oc) {
          double sum = bias[oc];
          for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
              const int64_t iy = oy + i - g.pad_top, ix = ox + j - g.pad_left;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              for (int64_t ic = 0; ic < g.c; ++ic)
                sum += double(x[((b * g.h + iy) * g.w + ix) * g.c + ic]) * f[((i * g.kw + j) * g.c + ic) * g.o + oc];
            }
          y[((b * g.oh + oy) * g.ow + ox) * g.o + oc] = relu ? std::max(sum, 0.0) : sum;
        }
  return y;
}

// `count` floats at a 64-byte boundary plus `offset` floats, every one NaN until written, and 16 more NaNs after
// them that must stay NaN.
class PoisonedOutput {
 public:
  PoisonedOutput(size_t count, size_t offset)
      : storage_(count + offset + 32, std::numeric_limits<float>::quiet_NaN()), count_(count) {
    const size_t misalignment = reinterpret_cast<uintptr_t>(storage_.data()) % 64 / sizeof(float);
    begin_ = storage_.data() + (misalignment ? 16 - misalignment : 0) + offset;
  }
  float* data() { return begin_; }
  std::vector<float> values() const { return {begin_, begin_ + count_}; }
  bool nothing_written_past_the_end() const {
    return std::all_of(begin_ + count_, begin_ + count_ + 16, [](float x) { return std::isnan(x); });
  }

 private:
  std::vector<float> storage_;
  size_t count_;
  float* begin_;
};

// The largest |want| and the largest |got - want|, infinite where got is NaN (never written).
struct Comparison {
  double largest = 0, worst = 0;
};
Comparison compare(const std::vector<float>& got, const std::vector<double>& want) {
  Comparison c;
  for (size_t i = 0; i < want.size(); ++i) {
    c.largest = std::max(c.largest, std::abs(want[i]));
    c.worst = std::max(c.worst, std::isnan(got[i]) ? INFINITY : std::abs(got[i] - want[i]));
  }
  return c;
}

// Every output written and within 1e-6 of the largest: a direct sum in float, as the reference's in double.
void expect_matches(kc::ConvFewChannelsForward forward, const Conv2DGeometry& g, bool with_bias_relu,
                    size_t output_offset, unsigned seed) {
  const std::vector<float> x = random_values(g.n * g.h * g.w * g.c, -1.f, 1.f, seed);
  const std::vector<float> f = random_values(g.kh * g.kw * g.c * g.o, -0.5f, 0.5f, seed + 1);
  const std::vector<float> bias =
      with_bias_relu ? random_values(g.o, -0.1f, 0.1f, seed + 2) : std::vector<float>(g.o, 0.f);
  PoisonedOutput y(g.n * g.oh * g.ow * g.o, output_offset);
  std::vector<float> scratch(kc::conv_few_channels_scratch_size(kc::ConvPass::kForward, g));
  forward(x.data(), f.data(), with_bias_relu ? bias.data() : nullptr, with_bias_relu, y.data(), scratch.data(), g);
  EXPECT_TRUE(y.nothing_written_past_the_end()) << describe(g);
  const std::vector<float> got = y.values();
  const std::vector<double> want = direct(x, f, bias, with_bias_relu, g);
  const auto [largest, worst] = compare(got, want);
  ASSERT_GT(largest, 0.1) << describe(g) << ": a weak case, the reference is ~0";
  EXPECT_LE(worst / largest, 1e-6) << describe(g) << (with_bias_relu ? " + bias, ReLU" : "");
  if (with_bias_relu) {
    EXPECT_GT(std::count(got.begin(), got.end(), 0.f), 0) << describe(g) << ": the ReLU clamped nothing";
  }
}

// At 1 thread, and at 3, where batches of 1 and 2 images are split into bands of rows among the threads.
void expect_matches_direct(kc::ConvFewChannelsForward forward) {
  unsigned seed = 1;
  const int threads = omp_get_max_threads();
  for (int t : {1, 3}) {
    omp_set_num_threads(t);
    for (const Conv2DGeometry& g : kGeometries)
      for (bool with_bias_relu : {false, true}) expect_matches(forward, g, with_bias_relu, 0, seed += 3);
  }
  omp_set_num_threads(threads);
  // 17 MiB of output, past the 16 MiB where the stores become non-temporal (aligned: streamed; one float off
  // alignment: through the cache).
  for (size_t offset : {0, 1})
    expect_matches(forward, geometry(17, 64, 64, 1, 3, 3, 64, 1, 1, 1, 1), true, offset, seed += 3);
}

// d_filter [kh, kw, c, o] = sum over the batch's output pixels of input (at the tap) x d_out, in double.
std::vector<double> filter_gradient(const std::vector<float>& x, const std::vector<float>& d_out,
                                    const Conv2DGeometry& g) {
  std::vector<double> d_filter(g.kh * g.kw * g.c * g.o);
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t i = 0; i < g.kh; ++i)
          for (int64_t j = 0; j < g.kw; ++j) {
            const int64_t iy = oy + i - g.pad_top, ix = ox + j - g.pad_left;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            for (int64_t ic = 0; ic < g.c; ++ic)
              for (int64_t oc = 0; oc < g.o; ++oc)
                d_filter[((i * g.kw + j) * g.c + ic) * g.o + oc] +=
                    double(x[((b * g.h + iy) * g.w + ix) * g.c + ic]) * d_out[((b * g.oh + oy) * g.ow + ox) * g.o + oc];
          }
  return d_filter;
}

// Every element of d_filter written and within 1e-5 of the largest (float sums over up to ~40,000 pixels).
void expect_gradient_matches(kc::ConvFewChannelsBackwardFilter backward_filter, const Conv2DGeometry& g,
                             unsigned seed) {
  const std::vector<float> x = random_values(g.n * g.h * g.w * g.c, -1.f, 1.f, seed);
  const std::vector<float> d_out = random_values(g.n * g.oh * g.ow * g.o, -1.f, 1.f, seed + 1);
  PoisonedOutput d_filter(g.kh * g.kw * g.c * g.o, 0);
  std::vector<float> scratch(kc::conv_few_channels_scratch_size(kc::ConvPass::kBackwardFilter, g));
  backward_filter(x.data(), d_out.data(), d_filter.data(), scratch.data(), g);
  EXPECT_TRUE(d_filter.nothing_written_past_the_end()) << describe(g);
  const std::vector<float> got = d_filter.values();
  const std::vector<double> want = filter_gradient(x, d_out, g);
  const auto [largest, worst] = compare(got, want);
  ASSERT_GT(largest, 0.1) << describe(g) << ": a weak case, the reference is ~0";
  EXPECT_LE(worst / largest, 1e-5) << describe(g);
  // The threads' sums are added in thread order: the same thread count gives the same bits.
  PoisonedOutput again(got.size(), 0);
  backward_filter(x.data(), d_out.data(), again.data(), scratch.data(), g);
  EXPECT_EQ(again.values(), got) << describe(g) << ": a second run differs";
}

// At 1 thread and at 3 (batches of 1 and 2 images split into bands), and a batch of 50 of the notes' conv1.
void expect_gradient_matches_direct(kc::ConvFewChannelsBackwardFilter backward_filter) {
  unsigned seed = 1;
  const int threads = omp_get_max_threads();
  for (int t : {1, 3}) {
    omp_set_num_threads(t);
    for (const Conv2DGeometry& g : kGeometries) expect_gradient_matches(backward_filter, g, seed += 2);
    expect_gradient_matches(backward_filter, same_5x5(50, 28, 28, 1, 32), seed += 2);
  }
  omp_set_num_threads(threads);
}

}  // namespace

TEST(ConvFewChannels, Avx2MatchesDirectConvolution) { expect_matches_direct(kc::conv_few_channels_forward_avx2); }

TEST(ConvFewChannels, Avx512MatchesDirectConvolution) {
  if (!kc::cpu_has_avx512()) GTEST_SKIP() << "this CPU has no AVX-512";
  expect_matches_direct(kc::conv_few_channels_forward_avx512);
}

TEST(ConvFewChannels, Avx2FilterGradientMatchesDirectSum) {
  expect_gradient_matches_direct(kc::conv_few_channels_backward_filter_avx2);
}

TEST(ConvFewChannels, Avx512FilterGradientMatchesDirectSum) {
  if (!kc::cpu_has_avx512()) GTEST_SKIP() << "this CPU has no AVX-512";
  expect_gradient_matches_direct(kc::conv_few_channels_backward_filter_avx512);
}

TEST(ConvFewChannels, AppliesToStride1WithFewInputChannels) {
  EXPECT_TRUE(kc::conv_few_channels_applies(same_5x5(50, 28, 28, 1, 32)));   // the notes' conv1
  EXPECT_TRUE(kc::conv_few_channels_applies(same_5x5(50, 28, 28, 4, 32)));
  EXPECT_FALSE(kc::conv_few_channels_applies(same_5x5(50, 28, 28, 5, 32)));
  EXPECT_FALSE(kc::conv_few_channels_applies(same_5x5(50, 28, 28, 1, 0)));  // no filters: nothing to vectorise
  Conv2DGeometry strided = same_5x5(2, 28, 28, 3, 16);
  strided.stride_w = 2;
  strided.ow = 14;
  EXPECT_FALSE(kc::conv_few_channels_applies(strided));
  Conv2DGeometry dilated = same_5x5(2, 28, 28, 3, 16);
  dilated.dilation_h = 2;
  dilated.oh = 24;
  EXPECT_FALSE(kc::conv_few_channels_applies(dilated));
}

// A batch of no images (a caller's empty slice) is no work, and no division by zero in the split into bands; its
// filter gradient is all zeros.
TEST(ConvFewChannels, EmptyBatchIsNoWork) {
  const Conv2DGeometry g = same_5x5(0, 28, 28, 1, 32);
  const std::vector<float> f(25 * 32, 0.5f), bias(32, 0.f);
  std::vector<float> scratch(kc::conv_few_channels_scratch_size(kc::ConvPass::kForward, g));
  kc::conv_few_channels_forward(nullptr, f.data(), bias.data(), true, nullptr, scratch.data(), g);
  PoisonedOutput d_filter(f.size(), 0);
  scratch.resize(kc::conv_few_channels_scratch_size(kc::ConvPass::kBackwardFilter, g));
  kc::conv_few_channels_backward_filter(nullptr, nullptr, d_filter.data(), scratch.data(), g);
  const std::vector<float> got = d_filter.values();
  EXPECT_EQ(std::count(got.begin(), got.end(), 0.f), static_cast<ptrdiff_t>(got.size()));
}
