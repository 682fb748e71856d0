// decode_jpeg / encode_jpeg: round trips within JPEG's error, channel conversions, decode_image's sniffing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "error_of.h"
#include "image_test_util.h"
#include "tapeflow/io/image.h"

namespace tf = tapeflow;
using tf::testing::pixels;

namespace {

int max_abs_difference(const tf::Tensor& a, const tf::Tensor& b) {
  const std::vector<uint8_t> x = pixels(a), y = pixels(b);
  EXPECT_EQ(x.size(), y.size());
  int worst = 0;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  return worst;
}

TEST(ImageJpeg, Quality100RoundTripsWithinAFewLevels) {
  const tf::Tensor rgb = tf::testing::gradient_image(37, 45, 3);
  const tf::Tensor back = tf::io::decode_jpeg(tf::io::encode_jpeg(rgb, 100, /*chroma_downsampling=*/false));
  EXPECT_EQ(back.shape(), rgb.shape());
  EXPECT_LE(max_abs_difference(back, rgb), 3);
  const tf::Tensor gray = tf::testing::gradient_image(37, 45, 1);
  EXPECT_LE(max_abs_difference(tf::io::decode_jpeg(tf::io::encode_jpeg(gray, 100)), gray), 2);
}

TEST(ImageJpeg, DefaultQualityWithChromaSubsamplingStaysClose) {
  const tf::Tensor rgb = tf::testing::gradient_image(64, 48, 3);
  const std::string jpeg = tf::io::encode_jpeg(rgb);
  EXPECT_LE(max_abs_difference(tf::io::decode_jpeg(jpeg), rgb), 12);
  // Lower quality, smaller file.
  EXPECT_LT(tf::io::encode_jpeg(tf::testing::noise_image(64, 48, 3), 50).size(),
            tf::io::encode_jpeg(tf::testing::noise_image(64, 48, 3), 95).size());
}

TEST(ImageJpeg, ChannelsZeroKeepsWhatIsStored) {
  EXPECT_EQ(tf::io::decode_jpeg(tf::io::encode_jpeg(tf::testing::gradient_image(8, 9, 3))).shape(), (tf::Shape{8, 9, 3}));
  EXPECT_EQ(tf::io::decode_jpeg(tf::io::encode_jpeg(tf::testing::gradient_image(8, 9, 1))).shape(), (tf::Shape{8, 9, 1}));
}

TEST(ImageJpeg, GrayToRgbReplicatesTheGrayValue) {
  const std::string jpeg = tf::io::encode_jpeg(tf::testing::gradient_image(16, 20, 1), 90);
  const std::vector<uint8_t> gray = pixels(tf::io::decode_jpeg(jpeg, 1));
  const std::vector<uint8_t> rgb = pixels(tf::io::decode_jpeg(jpeg, 3));
  ASSERT_EQ(rgb.size(), 3 * gray.size());
  for (size_t i = 0; i < gray.size(); ++i) {
    ASSERT_EQ(rgb[3 * i], gray[i]) << i;
    ASSERT_EQ(rgb[3 * i + 1], gray[i]) << i;
    ASSERT_EQ(rgb[3 * i + 2], gray[i]) << i;
  }
}

TEST(ImageJpeg, RgbToGrayIsTheLuma) {
  // A flat colour: the decoded gray is the JPEG's Y channel, 0.299 R + 0.587 G + 0.114 B.
  tf::Tensor flat = tf::Tensor::empty({16, 16, 3}, tf::DType::kUInt8);
  for (int64_t i = 0; i < 16 * 16; ++i) {
    flat.data<uint8_t>()[3 * i] = 200;
    flat.data<uint8_t>()[3 * i + 1] = 100;
    flat.data<uint8_t>()[3 * i + 2] = 50;
  }
  const tf::Tensor gray = tf::io::decode_jpeg(tf::io::encode_jpeg(flat, 100), 1);
  EXPECT_EQ(gray.shape(), (tf::Shape{16, 16, 1}));
  for (uint8_t v : pixels(gray)) EXPECT_NEAR(v, 0.299 * 200 + 0.587 * 100 + 0.114 * 50, 1.0);
}

TEST(ImageJpeg, DecodeImageSniffsJpegAndRefusesOthers) {
  const tf::Tensor image = tf::testing::gradient_image(8, 8, 3);
  const std::string jpeg = tf::io::encode_jpeg(image);
  EXPECT_EQ(pixels(tf::io::decode_image(jpeg)), pixels(tf::io::decode_jpeg(jpeg)));
  EXPECT_EQ(tf::io::decode_image(jpeg, 1).shape(), (tf::Shape{8, 8, 1}));
  EXPECT_EQ(tf::testing::error_of([] { tf::io::decode_image("GIF89a........"); }),
            "not implemented: decode_image: GIF images (PNG and JPEG are supported)");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::decode_image("hello, world"); }),
            "decode_image: expected a PNG (89 50 4e 47) or JPEG (ff d8 ff), found 68 65 6c 6c 6f 2c 20 77 (12 bytes)");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::decode_image(""); }),
            "decode_image: expected a PNG (89 50 4e 47) or JPEG (ff d8 ff), found no bytes (empty input) (0 bytes)");
}

TEST(ImageJpeg, BadArgumentsNameWhatWasExpected) {
  const std::string jpeg = tf::io::encode_jpeg(tf::testing::gradient_image(4, 4, 3));
  EXPECT_EQ(tf::testing::error_of([&] { tf::io::decode_jpeg(jpeg, 4); }),
            "decode_jpeg: expected channels 0 (as stored) or one of 1, 3, found 4");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::encode_jpeg(tf::testing::gradient_image(4, 4, 3), 0); }),
            "encode_jpeg: expected quality in 1..100, found 0");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::encode_jpeg(tf::Tensor::empty({4, 4, 4}, tf::DType::kUInt8)); }),
            "encode_jpeg: expected channels to be one of 1, 3, found 4 (image [4, 4, 4])");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::decode_jpeg("\x89PNG\r\n\x1a\n"); }),
            "decode_jpeg: expected a JPEG (starting ff d8), found 89 50 4e 47 0d 0a 1a 0a (8 bytes)");
}

}  // namespace
