// The F(4x4, 5x5) Winograd convolution (kernels/cpu/winograd_5x5.h) and its two gradients against a
// double-precision direct convolution, for both instruction sets, on geometries whose tiles run past the image's
// edges and whose channel counts are not multiples of the vector width; and which convolutions take it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/winograd_5x5.h"
#include "random_values.h"

namespace kc = tapeflow::kernels::cpu;
using tapeflow::testing::random_values;
using tapeflow::kernels::Conv2DGeometry;

namespace {

// A 5x5, stride-1 geometry; SAME pads 2 on each side, VALID none.
Conv2DGeometry geometry(int64_t n, int64_t h, int64_t w, int64_t c, int64_t o, bool same) {
  const int64_t pad = same ? 2 : 0;
  return {n, h, w, c, 5, 5, o, same ? h : h - 4, same ? w : w - 4, 1, 1, 1, 1, pad, pad};
}

// The notes' conv2 (14x14, 32 -> 64), sizes that leave partial tiles, channel counts that fill no vector, an
// image smaller than the filter, and VALID padding.
const Conv2DGeometry kGeometries[] = {
    geometry(3, 14, 14, 32, 64, true),  geometry(2, 9, 11, 17, 18, true), geometry(1, 10, 7, 16, 33, false),
    geometry(5, 5, 6, 20, 16, true),    geometry(2, 3, 2, 16, 16, true),  geometry(1, 13, 13, 40, 24, false),
};

std::string describe(const Conv2DGeometry& g) {
  return std::to_string(g.n) + "x" + std::to_string(g.h) + "x" + std::to_string(g.w) + "x" + std::to_string(g.c) +
         " -> " + std::to_string(g.o) + (g.pad_top ? " SAME" : " VALID");
}

// Calls product(x_at, f_at, y_at) for every input, filter and output index that the convolution multiplies
// together: y[y_at] += x[x_at] * f[f_at]. The three references below are this sum, in double precision.
template <class Product> void for_each_product(const Conv2DGeometry& g, Product product) {
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t i = 0; i < 5; ++i)
          for (int64_t j = 0; j < 5; ++j) {
            const int64_t iy = oy + i - g.pad_top, ix = ox + j - g.pad_left;
            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
            for (int64_t ic = 0; ic < g.c; ++ic)
              for (int64_t oc = 0; oc < g.o; ++oc)
                product(((b * g.h + iy) * g.w + ix) * g.c + ic, ((i * 5 + j) * g.c + ic) * g.o + oc,
                        ((b * g.oh + oy) * g.ow + ox) * g.o + oc);
          }
}

// conv2d + bias (+ ReLU).
std::vector<double> direct(const std::vector<float>& x, const std::vector<float>& f, const std::vector<float>& bias,
                           bool relu, const Conv2DGeometry& g) {
  std::vector<double> y(g.n * g.oh * g.ow * g.o);
  for_each_product(g, [&](int64_t x_at, int64_t f_at, int64_t y_at) { y[y_at] += double(x[x_at]) * f[f_at]; });
  for (size_t i = 0; i < y.size(); ++i) {
    y[i] += bias[i % g.o];
    if (relu) y[i] = std::max(y[i], 0.0);
  }
  return y;
}

// The largest difference between got and want (NaN: infinite) over the largest |want|; fails if want is ~0.
double error_over_largest(const std::vector<float>& got, const std::vector<double>& want) {
  double largest = 0, worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    largest = std::max(largest, std::abs(want[i]));
    worst = std::max(worst, std::isnan(got[i]) ? INFINITY : std::abs(got[i] - want[i]));
  }
  EXPECT_GT(largest, 0.1) << "a weak case: the reference is ~0";
  return worst / largest;
}

using Forward = void (*)(const float*, const float*, const float*, bool, float*, float*, const Conv2DGeometry&);

// Every output written (the buffer starts as NaN) and within 1e-5 of the largest output: the transforms' weights
// up to 21/4 cost ~2-3x direct float convolution's rounding error, which is ~1e-6 here.
void expect_matches_direct(Forward forward) {
  unsigned seed = 1;
  for (const Conv2DGeometry& g : kGeometries)
    for (bool with_bias_relu : {false, true}) {
      // Post-ReLU activations in [0, 1) and Glorot-sized weights, as in the notes' CNN.
      const std::vector<float> x = random_values(g.n * g.h * g.w * g.c, 0.f, 1.f, ++seed);
      const float limit = std::sqrt(6.f / (25 * (g.c + g.o)));
      const std::vector<float> f = random_values(25 * g.c * g.o, -limit, limit, ++seed);
      const std::vector<float> bias = with_bias_relu ? random_values(g.o, -0.1f, 0.1f, ++seed)
                                                     : std::vector<float>(g.o, 0.f);
      std::vector<float> y(g.n * g.oh * g.ow * g.o, std::numeric_limits<float>::quiet_NaN());
      std::vector<float> scratch(kc::winograd_5x5_scratch_size(kc::ConvPass::kForward, g));
      forward(x.data(), f.data(), with_bias_relu ? bias.data() : nullptr, with_bias_relu, y.data(), scratch.data(),
              g);
      EXPECT_LE(error_over_largest(y, direct(x, f, bias, with_bias_relu, g)), 1e-5)
          << describe(g) << (with_bias_relu ? " + bias, ReLU" : "");
      if (with_bias_relu) {
        EXPECT_GT(std::count(y.begin(), y.end(), 0.f), 0) << describe(g) << ": the ReLU clamped nothing";
      }
    }
}

}  // namespace

TEST(Winograd5x5, Avx2MatchesDirectConvolution) { expect_matches_direct(kc::winograd_5x5_forward_avx2); }

TEST(Winograd5x5, Avx512MatchesDirectConvolution) {
  if (!kc::cpu_has_avx512()) GTEST_SKIP() << "this CPU has no AVX-512";
  expect_matches_direct(kc::winograd_5x5_forward_avx512);
}

// d_input = the forward's gradient with respect to its input.
std::vector<double> direct_input_gradient(const std::vector<float>& dy, const std::vector<float>& f,
                                          const Conv2DGeometry& g) {
  std::vector<double> dx(g.n * g.h * g.w * g.c);
  for_each_product(g, [&](int64_t x_at, int64_t f_at, int64_t y_at) { dx[x_at] += double(dy[y_at]) * f[f_at]; });
  return dx;
}

// Within 2e-5 of the largest input gradient (measured: at most 1.1e-5): the output gradients are signed, so
// the sums cancel and the largest result is smaller, relative to the rounding, than the forward's.
TEST(Winograd5x5, InputGradientMatchesDirect) {
  unsigned seed = 100;
  for (const Conv2DGeometry& g : kGeometries) {
    const std::vector<float> dy = random_values(g.n * g.oh * g.ow * g.o, -1.f, 1.f, ++seed);
    const std::vector<float> f = random_values(25 * g.c * g.o, -0.1f, 0.1f, ++seed);
    std::vector<float> dx(g.n * g.h * g.w * g.c, std::numeric_limits<float>::quiet_NaN());
    std::vector<float> scratch(kc::winograd_5x5_scratch_size(kc::ConvPass::kBackwardInput, g));
    kc::winograd_5x5_backward_input(dy.data(), f.data(), dx.data(), scratch.data(), g);
    EXPECT_LE(error_over_largest(dx, direct_input_gradient(dy, f, g)), 2e-5) << describe(g);
  }
}

// d_filter = the forward's gradient with respect to its filter.
std::vector<double> direct_filter_gradient(const std::vector<float>& x, const std::vector<float>& dy,
                                           const Conv2DGeometry& g) {
  std::vector<double> df(25 * g.c * g.o);
  for_each_product(g, [&](int64_t x_at, int64_t f_at, int64_t y_at) { df[f_at] += double(x[x_at]) * dy[y_at]; });
  return df;
}

using FilterGradient = void (*)(const float*, const float*, float*, float*, const Conv2DGeometry&);

// Within 2e-5 of the largest tap (measured: at most 3.9e-6): the sums run over every output pixel of the batch,
// in the transformed domain, and F(5x5, 4x4)'s back-transform weighs them by up to 16.
void expect_filter_gradient_matches_direct(FilterGradient filter_gradient) {
  unsigned seed = 200;
  for (const Conv2DGeometry& g : kGeometries) {
    const std::vector<float> x = random_values(g.n * g.h * g.w * g.c, 0.f, 1.f, ++seed);
    const std::vector<float> dy = random_values(g.n * g.oh * g.ow * g.o, -1.f, 1.f, ++seed);
    std::vector<float> dw(25 * g.c * g.o, std::numeric_limits<float>::quiet_NaN());
    std::vector<float> scratch(kc::winograd_5x5_scratch_size(kc::ConvPass::kBackwardFilter, g));
    filter_gradient(x.data(), dy.data(), dw.data(), scratch.data(), g);
    EXPECT_LE(error_over_largest(dw, direct_filter_gradient(x, dy, g)), 2e-5) << describe(g);
  }
}

TEST(Winograd5x5, Avx2FilterGradientMatchesDirect) {
  expect_filter_gradient_matches_direct(kc::winograd_5x5_backward_filter_avx2);
}

TEST(Winograd5x5, Avx512FilterGradientMatchesDirect) {
  if (!kc::cpu_has_avx512()) GTEST_SKIP() << "this CPU has no AVX-512";
  expect_filter_gradient_matches_direct(kc::winograd_5x5_backward_filter_avx512);
}

// A NaN input gives NaN outputs through the ReLU (as std::max(x, 0.f) does). The transforms mix a whole 8x8 input
// tile, so the NaN reaches every output of the 4x4 tiles whose input tile holds it, not only its 5x5 neighbours;
// tiles that do not read it stay finite.
TEST(Winograd5x5, NaNReachesItsTilesOnly) {
  const Conv2DGeometry g = geometry(1, 12, 12, 16, 16, true);
  std::vector<float> x(12 * 12 * 16, 0.5f), f(25 * 16 * 16, -0.01f), bias(16, 0.f), y(12 * 12 * 16);
  x[(2 * 12 + 3) * 16 + 5] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> scratch(kc::winograd_5x5_scratch_size(kc::ConvPass::kForward, g));
  kc::winograd_5x5_forward(x.data(), f.data(), bias.data(), true, y.data(), scratch.data(), g);
  EXPECT_TRUE(std::isnan(y[(2 * 12 + 3) * 16]));  // the NaN's own pixel
  EXPECT_EQ(y[(11 * 12 + 11) * 16], 0.f);         // the far corner's tile reads rows and columns 6..13 only
}

TEST(Winograd5x5, AppliesTo5x5Stride1WithEnoughChannels) {
  EXPECT_TRUE(kc::winograd_5x5_applies(geometry(50, 14, 14, 32, 64, true)));   // the notes' conv2
  EXPECT_FALSE(kc::winograd_5x5_applies(geometry(50, 28, 28, 1, 32, true)));   // conv1: one input channel
  EXPECT_FALSE(kc::winograd_5x5_applies(geometry(50, 14, 14, 32, 8, true)));   // too few output channels
  Conv2DGeometry strided = geometry(2, 14, 14, 32, 64, true);
  strided.stride_h = 2;
  strided.oh = 7;
  EXPECT_FALSE(kc::winograd_5x5_applies(strided));
  Conv2DGeometry dilated = geometry(2, 14, 14, 32, 64, false);
  dilated.dilation_w = 2;
  dilated.ow = 6;
  EXPECT_FALSE(kc::winograd_5x5_applies(dilated));
  Conv2DGeometry three = geometry(2, 14, 14, 32, 64, true);
  three.kh = three.kw = 3;
  EXPECT_FALSE(kc::winograd_5x5_applies(three));
}
