// IDX reading: plain and gzip files, the real Fashion-MNIST when installed, and bad files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tapeflow/io/idx.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;

namespace {

std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& dims, const std::string& data) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((d >> shift) & 0xFF);
  return out + data;
}

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tapeflow_idx_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& bytes, bool gzip = false) {
    const fs::path p = dir_ / name;
    if (gzip) {
      gzFile f = gzopen(p.c_str(), "wb");
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(f);
    } else {
      std::ofstream(p, std::ios::binary) << bytes;
    }
    return p;
  }
  std::string error_of(const fs::path& p) {
    try {
      tf::io::read_idx(p);
    } catch (const tf::Error& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

}  // namespace

TEST_F(IdxTest, ReadsUint8ImagesPlainAndGzip) {
  const std::string pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  for (bool gzip : {false, true}) {
    const tf::Tensor t = tf::io::read_idx(write(gzip ? "a.gz" : "a", idx_bytes(0x08, {2, 2, 3}, pixels), gzip));
    EXPECT_EQ(t.dtype(), tf::uint8);
    EXPECT_EQ(t.shape(), (tf::Shape{2, 2, 3}));
    EXPECT_EQ(t.numpy<uint8_t>()[11], 12);
  }
}

TEST_F(IdxTest, ReadsBigEndianInt32AndFloat32) {
  const tf::Tensor i = tf::io::read_idx(write("i", idx_bytes(0x0C, {2}, std::string("\x00\x00\x01\x02\xff\xff\xff\xfe", 8))));
  EXPECT_EQ(i.numpy<int32_t>(), (std::vector<int32_t>{258, -2}));
  const tf::Tensor f = tf::io::read_idx(write("f", idx_bytes(0x0D, {1}, std::string("\x3f\x80\x00\x00", 4))));
  EXPECT_EQ(f.numpy<float>(), std::vector<float>{1.f});
}

// A zero dimension holds no data: an empty tensor of that shape (found by fuzz_idx, which saw the uint8 copy
// pass a null pointer to memcpy; make test-asan's UBSan reports that).
TEST_F(IdxTest, ZeroSizedDimensionsReadAsEmptyTensors) {
  const tf::Tensor images = tf::io::read_idx(write("empty", idx_bytes(0x08, {0, 0, 0}, "")));
  EXPECT_EQ(images.dtype(), tf::uint8);
  EXPECT_EQ(images.shape(), (tf::Shape{0, 0, 0}));
  const tf::Tensor ints = tf::io::read_idx(write("empty_int32", idx_bytes(0x0C, {3, 0}, "")));
  EXPECT_EQ(ints.shape(), (tf::Shape{3, 0}));
  EXPECT_EQ(ints.num_elements(), 0);
}

TEST_F(IdxTest, BadFilesAreClearErrors) {
  EXPECT_NE(error_of(dir_ / "missing").find("cannot open"), std::string::npos);
  EXPECT_NE(error_of(write("short", std::string("\x00\x00", 2))).find("header is missing"), std::string::npos);
  EXPECT_NE(error_of(write("magic", std::string("\x01\x02\x08\x01\x00\x00\x00\x01\x05", 9))).find("bad magic"),
            std::string::npos);
  EXPECT_NE(error_of(write("type", idx_bytes(0x0B, {1}, "ab"))).find("element type 0x0B is not supported"),
            std::string::npos);
  // A header promising 60000 x 28 x 28 over 10 bytes: an error, not a 47 MB allocation.
  const std::string lying = error_of(write("lying", idx_bytes(0x08, {60000, 28, 28}, "0123456789")));
  EXPECT_NE(lying.find("truncated: the header promises shape [60000, 28, 28] (47040000 bytes of data) but only 10"),
            std::string::npos)
      << lying;
  const std::string huge = error_of(write("huge", idx_bytes(0x0C, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF}, "")));
  EXPECT_NE(huge.find("the header promises shape [4294967295, 4294967295, 65535] (4.84e+24 bytes), more than the "
                      "16 GiB this reader accepts"),
            std::string::npos)
      << huge;
  EXPECT_NE(error_of(write("extra", idx_bytes(0x08, {1}, "ab"))).find("has data after"), std::string::npos);
}

TEST_F(IdxTest, LoadMnistScalesImagesAndNamesMissingFiles) {
  const std::string image(2 * 28 * 28, '\xff');
  write("train-images-idx3-ubyte", idx_bytes(0x08, {2, 28, 28}, image));
  write("train-labels-idx1-ubyte.gz", idx_bytes(0x08, {2}, std::string("\x07\x03", 2)), true);
  write("t10k-images-idx3-ubyte", idx_bytes(0x08, {2, 28, 28}, image));
  try {
    tf::io::load_mnist(dir_);
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"),
              std::string::npos);
  }
  write("t10k-labels-idx1-ubyte", idx_bytes(0x08, {2}, std::string("\x01\x02", 2)));
  const tf::io::MnistData d = tf::io::load_mnist(dir_);
  EXPECT_EQ(d.train_images.shape(), (tf::Shape{2, 28, 28, 1}));
  EXPECT_EQ(d.train_images.numpy<float>()[0], 1.f);
  EXPECT_EQ(d.train_labels.numpy<int64_t>(), (std::vector<int64_t>{7, 3}));
}

TEST(FashionMnist, DebianPackageFilesHaveTheDocumentedContents) {
  if (!fs::exists(tf::io::kFashionMnistDir)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (make deps installs it)";
  }
  const tf::io::MnistData d = tf::io::load_mnist(tf::io::kFashionMnistDir);
  EXPECT_EQ(d.train_images.shape(), (tf::Shape{60000, 28, 28, 1}));
  EXPECT_EQ(d.test_images.shape(), (tf::Shape{10000, 28, 28, 1}));
  const auto train = d.train_labels.numpy<int64_t>(), test = d.test_labels.numpy<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(train.begin(), train.begin() + 10), (std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  EXPECT_EQ(std::vector<int64_t>(test.begin(), test.begin() + 10), (std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
}
