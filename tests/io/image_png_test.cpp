// decode_png / encode_png: exact round trips, and TF's rules for channels, palettes, tRNS, bit depths, interlacing.
#include <gtest/gtest.h>

#include "error_of.h"
#include "image_test_util.h"
#include "tapeflow/io/image.h"

namespace tf = tapeflow;
using tf::testing::PngSpec;
using tf::testing::pixels;

namespace {

TEST(ImagePng, EncodeThenDecodeIsExactForOneToFourChannels) {
  for (int64_t channels = 1; channels <= 4; ++channels) {
    const tf::Tensor image = tf::testing::noise_image(13, 17, channels, static_cast<uint32_t>(channels));
    const tf::Tensor back = tf::io::decode_png(tf::io::encode_png(image));
    EXPECT_EQ(back.shape(), image.shape()) << channels;
    EXPECT_EQ(back.dtype(), tf::DType::kUInt8);
    EXPECT_EQ(pixels(back), pixels(image)) << channels << " channels";
  }
}

TEST(ImagePng, ChannelConversionsFromRgba) {
  // Pixels: red, white, mid-gray, black; alpha 10, 20, 30, 40.
  const std::vector<uint8_t> rgba = {255, 0, 0, 10, 255, 255, 255, 20, 128, 128, 128, 30, 0, 0, 0, 40};
  const std::string png = write_png(PngSpec{4, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, false, rgba});
  EXPECT_EQ(pixels(tf::io::decode_png(png)), rgba);
  EXPECT_EQ(pixels(tf::io::decode_png(png, 3)), (std::vector<uint8_t>{255, 0, 0, 255, 255, 255, 128, 128, 128, 0, 0, 0}));
  // Gray by ITU-R 601 luma: red is 0.299 * 255 = 76.2; grays stay exact.
  const std::vector<uint8_t> gray = pixels(tf::io::decode_png(png, 1));
  ASSERT_EQ(gray.size(), 4u);
  EXPECT_NEAR(gray[0], 76, 1);
  EXPECT_EQ(gray[1], 255);
  EXPECT_EQ(gray[2], 128);
  EXPECT_EQ(gray[3], 0);
  const std::vector<uint8_t> gray_alpha = pixels(tf::io::decode_png(png, 2));
  EXPECT_EQ(gray_alpha[1], 10);
  EXPECT_EQ(gray_alpha[7], 40);
}

TEST(ImagePng, ChannelConversionsFromGray) {
  const std::string png = write_png(PngSpec{3, 1, PNG_COLOR_TYPE_GRAY, 8, false, {0, 100, 255}});
  EXPECT_EQ(tf::io::decode_png(png).shape(), (tf::Shape{1, 3, 1}));
  EXPECT_EQ(pixels(tf::io::decode_png(png, 2)), (std::vector<uint8_t>{0, 255, 100, 255, 255, 255}));
  EXPECT_EQ(pixels(tf::io::decode_png(png, 3)), (std::vector<uint8_t>{0, 0, 0, 100, 100, 100, 255, 255, 255}));
  EXPECT_EQ(pixels(tf::io::decode_png(png, 4)),
            (std::vector<uint8_t>{0, 0, 0, 255, 100, 100, 100, 255, 255, 255, 255, 255}));
}

TEST(ImagePng, PaletteExpandsToRgbOrRgbaWithTrns) {
  PngSpec spec{3, 1, PNG_COLOR_TYPE_PALETTE, 8, false, {2, 0, 1}};
  spec.palette = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
  const tf::Tensor rgb = tf::io::decode_png(write_png(spec));
  EXPECT_EQ(rgb.shape(), (tf::Shape{1, 3, 3}));
  EXPECT_EQ(pixels(rgb), (std::vector<uint8_t>{70, 80, 90, 10, 20, 30, 40, 50, 60}));
  spec.trns_alphas = {0, 128};  // entry 2 has no alpha: opaque
  const tf::Tensor rgba = tf::io::decode_png(write_png(spec));
  EXPECT_EQ(rgba.shape(), (tf::Shape{1, 3, 4}));
  EXPECT_EQ(pixels(rgba), (std::vector<uint8_t>{70, 80, 90, 255, 10, 20, 30, 0, 40, 50, 60, 128}));
}

TEST(ImagePng, GrayTrnsIsIgnoredUnlessAlphaIsAskedFor) {
  PngSpec spec{2, 1, PNG_COLOR_TYPE_GRAY, 8, false, {7, 9}};
  spec.trns_color = true;
  spec.trns_value.gray = 7;
  const std::string png = write_png(spec);
  EXPECT_EQ(pixels(tf::io::decode_png(png)), (std::vector<uint8_t>{7, 9}));  // as TF: channels stay 1
  EXPECT_EQ(pixels(tf::io::decode_png(png, 2)), (std::vector<uint8_t>{7, 0, 9, 255}));
}

TEST(ImagePng, SixteenBitKeepsTheHighByte) {
  // One RGB pixel of 16-bit samples 0x1234, 0xabcd, 0xff01.
  const std::string png =
      write_png(PngSpec{1, 1, PNG_COLOR_TYPE_RGB, 16, false, {0x12, 0x34, 0xab, 0xcd, 0xff, 0x01}});
  const tf::Tensor image = tf::io::decode_png(png);
  EXPECT_EQ(image.shape(), (tf::Shape{1, 1, 3}));
  EXPECT_EQ(pixels(image), (std::vector<uint8_t>{0x12, 0xab, 0xff}));
}

TEST(ImagePng, OneBitGrayExpandsToZeroAnd255) {
  // 10 pixels 1011001110 packed MSB first into two bytes.
  const std::string png = write_png(PngSpec{10, 1, PNG_COLOR_TYPE_GRAY, 1, false, {0b10110011, 0b10000000}});
  EXPECT_EQ(pixels(tf::io::decode_png(png)), (std::vector<uint8_t>{255, 0, 255, 255, 0, 0, 255, 255, 255, 0}));
}

TEST(ImagePng, InterlacedDecodesToTheSamePixels) {
  const tf::Tensor image = tf::testing::noise_image(19, 23, 3, 7);
  const std::vector<uint8_t> raw = pixels(image);
  const std::string interlaced = write_png(PngSpec{23, 19, PNG_COLOR_TYPE_RGB, 8, true, raw});
  EXPECT_EQ(pixels(tf::io::decode_png(interlaced)), raw);
}

TEST(ImagePng, DecodeImageSniffsPng) {
  const tf::Tensor image = tf::testing::noise_image(5, 6, 4);
  EXPECT_EQ(pixels(tf::io::decode_image(tf::io::encode_png(image))), pixels(image));
  EXPECT_EQ(tf::io::decode_image(tf::io::encode_png(image), 3).shape(), (tf::Shape{5, 6, 3}));
}

TEST(ImagePng, BadArgumentsNameWhatWasExpected) {
  const std::string png = tf::io::encode_png(tf::testing::noise_image(2, 2, 3));
  EXPECT_EQ(tf::testing::error_of([&] { tf::io::decode_png(png, 5); }),
            "decode_png: expected channels 0 (as stored) or one of 1, 2, 3, 4, found 5");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::encode_png(tf::Tensor::empty({2, 2, 5}, tf::DType::kUInt8)); }),
            "encode_png: expected channels to be one of 1, 2, 3, 4, found 5 (image [2, 2, 5])");
  EXPECT_EQ(tf::testing::error_of([] { tf::io::encode_png(tf::Tensor::empty({2, 2, 3}, tf::DType::kFloat32)); }),
            "encode_png: expected a uint8 [height, width, channels] image, found float32 [2, 2, 3]");
}

}  // namespace
