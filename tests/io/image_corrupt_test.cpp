// Damaged images: every truncation point, flipped bytes, garbage and lying sizes give a tapeflow::Error
// naming the codec (never a crash or a giant allocation). Run under valgrind to see no invalid reads.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <zlib.h>

#include <random>

#include "error_of.h"
#include "image_test_util.h"
#include "tapeflow/io/image.h"

namespace tf = tapeflow;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every strict prefix must be refused with an error that names `codec`.
void expect_every_truncation_refused(const std::string& file, const std::string& codec) {
  for (size_t cut = 0; cut < file.size(); ++cut) {
    const std::string message = tf::testing::error_of([&] { tf::io::decode_image(file.substr(0, cut)); });
    ASSERT_NE(message, "(no error)") << codec << " cut at " << cut << " of " << file.size();
    ASSERT_TRUE(contains(message, codec)) << message;
  }
}

// A flipped byte either still decodes (to some image) or is an Error; nothing else may happen.
void expect_flips_decode_or_throw(const std::string& file) {
  int refused = 0;
  for (size_t at = 0; at < file.size(); ++at) {
    std::string damaged = file;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    try {
      const tf::Tensor image = tf::io::decode_image(damaged);
      EXPECT_EQ(image.rank(), 3);
    } catch (const tf::Error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0) << "no flipped byte was ever noticed in a file of " << file.size() << " bytes";
}

std::string png_file() { return tf::io::encode_png(tf::testing::noise_image(9, 11, 3)); }
std::string jpeg_file(bool gray = false) {
  return tf::io::encode_jpeg(tf::testing::noise_image(17, 21, gray ? 1 : 3), 90);
}

// A cut inside the signature gets decode_image's error, any later cut the codec's own.
TEST(ImageCorrupt, EveryTruncatedPngIsAnError) { expect_every_truncation_refused(png_file(), "decode_"); }
TEST(ImageCorrupt, EveryTruncatedJpegIsAnError) {
  expect_every_truncation_refused(jpeg_file(), "decode_");
  expect_every_truncation_refused(jpeg_file(true), "decode_");
}

TEST(ImageCorrupt, TruncatedJpegNamesPrematureEnd) {
  const std::string jpeg = jpeg_file();
  const std::string message = tf::testing::error_of([&] { tf::io::decode_jpeg(jpeg.substr(0, jpeg.size() * 2 / 3)); });
  EXPECT_TRUE(contains(message, "decode_jpeg: corrupt or truncated JPEG (21 x 17 YCbCr")) << message;
  EXPECT_TRUE(contains(message, "Premature end of JPEG file")) << message;
}

TEST(ImageCorrupt, FlippedBytesDecodeOrThrow) {
  expect_flips_decode_or_throw(png_file());
  expect_flips_decode_or_throw(jpeg_file());
}

TEST(ImageCorrupt, GarbageAfterAValidSignatureIsAnError) {
  std::mt19937 gen(3);
  for (const std::string& signature : {std::string("\x89PNG\r\n\x1a\n"), std::string("\xff\xd8\xff")}) {
    for (int trial = 0; trial < 50; ++trial) {
      std::string bytes = signature;
      for (int i = 0; i < 200; ++i) bytes += static_cast<char>(gen());
      EXPECT_NE(tf::testing::error_of([&] { tf::io::decode_image(bytes); }), "(no error)");
    }
  }
}

// Rewrites the IHDR's width and height and fixes its CRC, so only the size lies.
std::string png_declaring(uint32_t width, uint32_t height) {
  std::string png = png_file();
  const auto put_u32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put_u32(16, width);  // signature 8, length 4, "IHDR" 4
  put_u32(20, height);
  put_u32(29, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(png.data() + 12), 17)));
  return png;
}

TEST(ImageCorrupt, PngDeclaringAGiantSizeIsRefusedBeforeAllocating) {
  EXPECT_EQ(tf::testing::error_of([] { tf::io::decode_png(png_declaring(100000, 100000)); }),
            "decode_png: the image declares 100000 x 100000 = 10000000000 pixels, more than the limit of 268435456 "
            "(a corrupt or hostile file?)");
  // Beyond libpng's own per-dimension limit: its message, still an Error.
  EXPECT_TRUE(contains(tf::testing::error_of([] { tf::io::decode_png(png_declaring(1u << 30, 1)); }),
                       "decode_png: corrupt PNG header"));
}

// Under the pixel limit, but more than the file's bytes could encode at deflate's best (a 69-byte file used to
// cost a 1 GiB allocation before libpng found the data missing).
TEST(ImageCorrupt, SmallPngDeclaringALargeSizeIsRefusedBeforeAllocating) {
  const std::string png = png_declaring(16384, 16384);
  EXPECT_EQ(tf::testing::error_of([&] { tf::io::decode_png(png); }),
            fmt::format("decode_png: the image declares 16384 x 16384 = 268435456 pixels, more than {} bytes can "
                        "encode (at most 8256 pixels per byte): truncated or corrupt",
                        png.size()));
}

TEST(ImageCorrupt, PngDeclaringMoreRowsThanItHoldsIsAnError) {
  EXPECT_TRUE(contains(tf::testing::error_of([] { tf::io::decode_png(png_declaring(11, 5000)); }),
                       "decode_png: corrupt or truncated PNG (11 x 5000"));
}

TEST(ImageCorrupt, JpegDeclaringAGiantSizeIsRefusedBeforeAllocating) {
  std::string jpeg = jpeg_file();
  const size_t sof = jpeg.find("\xff\xc0");  // baseline start of frame: length 2, precision 1, height 2, width 2
  ASSERT_NE(sof, std::string::npos);
  for (const size_t at : {sof + 5, sof + 7}) {  // 40000 = 0x9c40, under libjpeg's own limit of 65500
    jpeg[at] = static_cast<char>(0x9c);
    jpeg[at + 1] = static_cast<char>(0x40);
  }
  EXPECT_EQ(tf::testing::error_of([&] { tf::io::decode_jpeg(jpeg); }),
            "decode_jpeg: the image declares 40000 x 40000 = 1600000000 pixels, more than the limit of 268435456 "
            "(a corrupt or hostile file?)");
}

// Under the pixel limit, but more than the file's bytes could encode (a 736-byte file used to cost a 768 MB
// allocation).
TEST(ImageCorrupt, SmallJpegDeclaringALargeSizeIsRefusedBeforeAllocating) {
  std::string jpeg = jpeg_file();
  const size_t sof = jpeg.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  for (const size_t at : {sof + 5, sof + 7}) {  // 16000 = 0x3e80
    jpeg[at] = static_cast<char>(0x3e);
    jpeg[at + 1] = static_cast<char>(0x80);
  }
  EXPECT_EQ(tf::testing::error_of([&] { tf::io::decode_jpeg(jpeg); }),
            fmt::format("decode_jpeg: the image declares 16000 x 16000 = 256000000 pixels, more than {} bytes can "
                        "encode (at most 2048 pixels per byte): truncated or corrupt",
                        jpeg.size()));
}

}  // namespace
