// tf.image ops: resize against hand-computed values and an independent double-precision reference of TF's
// half-pixel formula, convert_image_dtype's exact values, seeded flips and crops, standardization.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "error_of.h"
#include "image_test_util.h"
#include "tapeflow/image/image.h"

namespace tf = tapeflow;
namespace image = tapeflow::image;

namespace {

tf::Tensor floats(const tf::Shape& shape, const std::vector<float>& values) {
  tf::Tensor t = tf::Tensor::empty(shape, tf::DType::kFloat32);
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

TEST(ImageResize, BilinearUpscaleByHand) {
  // 2x2 -> 4x4: samples at -0.25, 0.25, 0.75, 1.25 (clamped to the edge).
  const tf::Tensor out = image::resize(floats({2, 2, 1}, {0, 10, 20, 30}), {4, 4});
  EXPECT_EQ(out.shape(), (tf::Shape{4, 4, 1}));
  EXPECT_EQ(out.numpy<float>(), (std::vector<float>{0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5,
                                                    27.5, 30}));
}

TEST(ImageResize, BilinearHalvingAveragesTwoByTwoBlocks) {
  std::vector<float> values(16);
  for (int i = 0; i < 16; ++i) values[i] = static_cast<float>(i);
  const tf::Tensor out = image::resize(floats({4, 4, 1}, values), {2, 2});
  EXPECT_EQ(out.numpy<float>(), (std::vector<float>{2.5, 4.5, 10.5, 12.5}));
}

// TF's documented half-pixel bilinear sampling, in double, written independently of the kernel.
double reference_bilinear(const std::vector<float>& in, int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow,
                          int64_t y, int64_t x, int64_t k) {
  const auto sample = [](int64_t i, int64_t in_size, int64_t out_size, int64_t& lo, int64_t& hi) {
    const double at = (static_cast<double>(i) + 0.5) * static_cast<double>(in_size) / static_cast<double>(out_size) - 0.5;
    lo = std::clamp<int64_t>(static_cast<int64_t>(std::floor(at)), 0, in_size - 1);
    hi = std::clamp<int64_t>(static_cast<int64_t>(std::floor(at)) + 1, 0, in_size - 1);
    return at - std::floor(at);
  };
  int64_t y0, y1, x0, x1;
  const double fy = sample(y, h, oh, y0, y1), fx = sample(x, w, ow, x0, x1);
  const auto v = [&](int64_t yy, int64_t xx) { return static_cast<double>(in[(yy * w + xx) * c + k]); };
  return (1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1));
}

TEST(ImageResize, BilinearMatchesTheHalfPixelFormulaOnABatch) {
  const int64_t n = 2, h = 5, w = 7, c = 3;
  const tf::Tensor batch = tf::testing::noise_image(n * h, w, c, 11).reshape({n, h, w, c});
  for (const image::Size size : {image::Size{3, 11}, image::Size{9, 4}, image::Size{5, 7}, image::Size{1, 1}}) {
    const tf::Tensor out = image::resize(batch, size);
    ASSERT_EQ(out.shape(), (tf::Shape{n, size.height, size.width, c}));
    ASSERT_EQ(out.dtype(), tf::DType::kFloat32);
    const std::vector<uint8_t> in_u8 = batch.numpy<uint8_t>();
    const std::vector<float> got = out.numpy<float>();
    for (int64_t b = 0; b < n; ++b) {
      const std::vector<float> in(in_u8.begin() + b * h * w * c, in_u8.begin() + (b + 1) * h * w * c);
      for (int64_t y = 0; y < size.height; ++y)
        for (int64_t x = 0; x < size.width; ++x)
          for (int64_t k = 0; k < c; ++k)
            ASSERT_NEAR(got[((b * size.height + y) * size.width + x) * c + k],
                        reference_bilinear(in, h, w, c, size.height, size.width, y, x, k), 1e-3)
                << "size " << size.height << "x" << size.width << " at " << b << "," << y << "," << x << "," << k;
    }
  }
}

TEST(ImageResize, NearestKeepsTheDtypeAndPicksByHand) {
  tf::Tensor in = tf::Tensor::empty({1, 4, 1}, tf::DType::kUInt8);
  for (int i = 0; i < 4; ++i) in.data<uint8_t>()[i] = static_cast<uint8_t>(10 * (i + 1));
  const tf::Tensor down = image::resize(in, {1, 2}, image::nearest);  // floor((i + 0.5) * 2) = 1, 3
  EXPECT_EQ(down.dtype(), tf::DType::kUInt8);
  EXPECT_EQ(down.numpy<uint8_t>(), (std::vector<uint8_t>{20, 40}));
  const tf::Tensor up = image::resize(in, {1, 8}, image::nearest);  // floor((i + 0.5) / 2)
  EXPECT_EQ(up.numpy<uint8_t>(), (std::vector<uint8_t>{10, 10, 20, 20, 30, 30, 40, 40}));
  const tf::Tensor third = image::resize(floats({1, 3, 1}, {1, 2, 3}), {1, 2}, image::nearest);  // 0.75, 2.25
  EXPECT_EQ(third.numpy<float>(), (std::vector<float>{1, 3}));
}

TEST(ImageResize, ErrorsNameTheProblem) {
  EXPECT_EQ(tf::testing::error_of([] { image::resize(tf::Tensor::empty({4, 4}), {2, 2}); }),
            "resize: expected an image [height, width, channels] or a batch [batch, height, width, channels], found "
            "shape [4, 4]");
  EXPECT_EQ(tf::testing::error_of([] { image::resize(tf::Tensor::empty({4, 4, 1}), {0, 2}); }),
            "resize: expected a positive size, found 0 x 2");
  EXPECT_EQ(tf::testing::error_of([] { image::resize(tf::Tensor::empty({4, 4, 1}, tf::DType::kInt64), {2, 2}); }),
            "resize: expected uint8 or float32 images, found int64");
}

TEST(ImageConvertDtype, Uint8ToFloatDividesBy255) {
  tf::Tensor in = tf::Tensor::empty({1, 4, 1}, tf::DType::kUInt8);
  const std::vector<uint8_t> values = {0, 1, 128, 255};
  std::copy(values.begin(), values.end(), in.data<uint8_t>());
  const std::vector<float> out = image::convert_image_dtype(in, tf::DType::kFloat32).numpy<float>();
  EXPECT_EQ(out[0], 0.f);
  EXPECT_FLOAT_EQ(out[1], 1.f / 255.f);
  EXPECT_FLOAT_EQ(out[2], 128.f / 255.f);
  EXPECT_EQ(out[3], 1.f);
}

TEST(ImageConvertDtype, FloatToUint8ScalesBy255Point5AndTruncates) {
  const tf::Tensor in = floats({1, 7, 1}, {0.f, 0.5f, 0.999f, 1.f, 0.001f, -0.1f, 1.5f});
  // 0, 127.75, 255.24, 255.5, 0.26, -25.55, 383.25
  EXPECT_EQ(image::convert_image_dtype(in, tf::DType::kUInt8, true).numpy<uint8_t>(),
            (std::vector<uint8_t>{0, 127, 255, 255, 0, 0, 255}));
  // Without saturation out-of-range values wrap: -25 -> 231, 383 -> 127.
  EXPECT_EQ(image::convert_image_dtype(in, tf::DType::kUInt8).numpy<uint8_t>(),
            (std::vector<uint8_t>{0, 127, 255, 255, 0, 231, 127}));
}

TEST(ImageConvertDtype, RoundTripOfEveryUint8Value) {
  tf::Tensor in = tf::Tensor::empty({16, 16, 1}, tf::DType::kUInt8);
  for (int i = 0; i < 256; ++i) in.data<uint8_t>()[i] = static_cast<uint8_t>(i);
  const tf::Tensor back =
      image::convert_image_dtype(image::convert_image_dtype(in, tf::DType::kFloat32), tf::DType::kUInt8, true);
  EXPECT_EQ(back.numpy<uint8_t>(), in.numpy<uint8_t>());
  EXPECT_EQ(image::convert_image_dtype(in, tf::DType::kUInt8).impl(), in.impl());  // same dtype: unchanged
  EXPECT_EQ(tf::testing::error_of([&] { image::convert_image_dtype(in, tf::DType::kInt32); }),
            "not implemented: convert_image_dtype from uint8 to int32 (uint8 and float32 are supported)");
}

TEST(ImageFlip, FlipLeftRightMirrorsTheWidth) {
  const tf::Tensor in = floats({2, 3, 1}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(image::flip_left_right(in).numpy<float>(), (std::vector<float>{3, 2, 1, 6, 5, 4}));
}

TEST(ImageFlip, RandomFlipIsReproducibleAndFlipsAboutHalf) {
  const int64_t n = 64;
  const tf::Tensor batch = tf::testing::noise_image(n * 3, 5, 2, 4).reshape({n, 3, 5, 2});
  const tf::Tensor a = image::random_flip_left_right(batch, 42), b = image::random_flip_left_right(batch, 42);
  EXPECT_EQ(a.numpy<uint8_t>(), b.numpy<uint8_t>());
  const tf::Tensor mirrored = image::flip_left_right(batch);
  const std::vector<uint8_t> got = a.numpy<uint8_t>(), same = batch.numpy<uint8_t>(), flipped = mirrored.numpy<uint8_t>();
  const size_t per = 3 * 5 * 2;
  int flips = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto slice = [&](const std::vector<uint8_t>& v) {
      return std::vector<uint8_t>(v.begin() + i * per, v.begin() + (i + 1) * per);
    };
    const bool is_same = slice(got) == slice(same), is_flipped = slice(got) == slice(flipped);
    ASSERT_TRUE(is_same || is_flipped) << "image " << i;
    flips += is_flipped;
  }
  EXPECT_GT(flips, 16);
  EXPECT_LT(flips, 48);
  EXPECT_NE(image::random_flip_left_right(batch, 43).numpy<uint8_t>(), got);
}

TEST(ImageCrop, RandomCropIsReproducibleAndAWindowOfTheInput) {
  const tf::Tensor in = tf::testing::noise_image(10, 12, 3, 9);
  const std::vector<uint8_t> src = in.numpy<uint8_t>();
  std::set<std::pair<int64_t, int64_t>> offsets;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const tf::Tensor crop = image::random_crop(in, {4, 5, 3}, seed);
    ASSERT_EQ(crop.shape(), (tf::Shape{4, 5, 3}));
    EXPECT_EQ(crop.numpy<uint8_t>(), image::random_crop(in, {4, 5, 3}, seed).numpy<uint8_t>());
    // Find the window it came from.
    const std::vector<uint8_t> got = crop.numpy<uint8_t>();
    bool found = false;
    for (int64_t oy = 0; oy <= 6 && !found; ++oy)
      for (int64_t ox = 0; ox <= 7 && !found; ++ox) {
        bool match = true;
        for (int64_t y = 0; y < 4 && match; ++y)
          for (int64_t x = 0; x < 5 * 3 && match; ++x) match = got[y * 15 + x] == src[(oy + y) * 36 + ox * 3 + x];
        if (match) offsets.insert({oy, ox}), found = true;
      }
    EXPECT_TRUE(found) << "seed " << seed;
  }
  EXPECT_GT(offsets.size(), 5u);
  EXPECT_EQ(tf::testing::error_of([&] { image::random_crop(in, {11, 5, 3}, 1); }),
            "random_crop: expected size <= value's shape in every dim, found size [11, 5, 3] for value [10, 12, 3]");
}

TEST(ImageStandardization, EachImageGetsMeanZeroAndStdOne) {
  const tf::Tensor batch = tf::testing::noise_image(3 * 6, 7, 3, 5).reshape({3, 6, 7, 3});
  const std::vector<float> out = image::per_image_standardization(batch).numpy<float>();
  const size_t per = 6 * 7 * 3;
  for (size_t i = 0; i < 3; ++i) {
    double sum = 0, squares = 0;
    for (size_t j = 0; j < per; ++j) sum += out[i * per + j], squares += double(out[i * per + j]) * out[i * per + j];
    EXPECT_NEAR(sum / per, 0.0, 1e-5);
    EXPECT_NEAR(std::sqrt(squares / per - (sum / per) * (sum / per)), 1.0, 1e-5);
  }
}

TEST(ImageStandardization, AUniformImageUsesTheAdjustedStddev) {
  // stddev 0 -> divided by 1/sqrt(N): everything becomes 0, finite.
  const std::vector<float> flat = image::per_image_standardization(floats({2, 2, 1}, {3, 3, 3, 3})).numpy<float>();
  EXPECT_EQ(flat, (std::vector<float>(4, 0.f)));
  // Values 0 and 1e-3 over N = 4: stddev 5e-4 < 1/sqrt(4) = 0.5, so (x - mean) / 0.5.
  const std::vector<float> tiny = image::per_image_standardization(floats({2, 2, 1}, {0, 1e-3f, 0, 1e-3f})).numpy<float>();
  EXPECT_NEAR(tiny[0], -1e-3, 1e-7);
  EXPECT_NEAR(tiny[1], 1e-3, 1e-7);
}

}  // namespace
