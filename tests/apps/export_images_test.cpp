// export_images as a user runs it: Fashion-MNIST's test split as class folders of PNGs (pixel-exact with
// the IDX file) and JPEGs, and clear errors for bad flags and folders.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_program.h"
#include "tapeflow/io/idx.h"
#include "tapeflow/io/image.h"

namespace fs = std::filesystem;
namespace io = tapeflow::io;

namespace {

using tapeflow::testing::ProgramRun;
using tapeflow::testing::run_program;

ProgramRun export_images(const std::string& args) { return run_program("export_images", args); }

std::string read_file(const fs::path& path) {
  std::stringstream bytes;
  bytes << std::ifstream(path, std::ios::binary).rdbuf();
  return bytes.str();
}

class ExportImages : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(io::kFashionMnistDir) / "t10k-labels-idx1-ubyte.gz")) {
      GTEST_SKIP() << "Fashion-MNIST is not installed (dataset-fashion-mnist)";
    }
    out_ = fs::temp_directory_path() / ("tapeflow_export_images_" + std::to_string(::getpid()));
    fs::remove_all(out_);
  }
  void TearDown() override { fs::remove_all(out_); }
  fs::path out_;
};

TEST_F(ExportImages, PngFoldersHoldTheIdxPixelsUnderTheirLabels) {
  const ProgramRun run = export_images("--split test --limit 40 --format png --out " + out_.string());
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("40 / 40"), std::string::npos) << run.output;
  const tapeflow::Tensor images = io::read_idx(fs::path(io::kFashionMnistDir) / "t10k-images-idx3-ubyte.gz");
  const tapeflow::Tensor labels = io::read_idx(fs::path(io::kFashionMnistDir) / "t10k-labels-idx1-ubyte.gz");
  const std::vector<uint8_t> all = images.numpy<uint8_t>();
  for (int i = 0; i < 40; ++i) {
    const fs::path file = out_ / std::to_string(labels.data<uint8_t>()[i]) / fmt::format("{:02}.png", i);
    ASSERT_TRUE(fs::exists(file)) << file;
    const tapeflow::Tensor decoded = io::decode_png(read_file(file));
    ASSERT_EQ(decoded.shape(), (tapeflow::Shape{28, 28, 1}));
    EXPECT_EQ(decoded.numpy<uint8_t>(), std::vector<uint8_t>(all.begin() + i * 784, all.begin() + (i + 1) * 784)) << i;
  }
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 40);
}

TEST_F(ExportImages, JpegsDecodeToGrayImages) {
  const ProgramRun run = export_images("--split test --limit 12 --quality 90 --out " + out_.string());
  ASSERT_EQ(run.status, 0) << run.output;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(entry.path().extension(), ".jpg");
    EXPECT_EQ(io::decode_jpeg(read_file(entry.path())).shape(), (tapeflow::Shape{28, 28, 1}));
  }
  EXPECT_EQ(files, 12);
}

TEST_F(ExportImages, BadFlagsAndFoldersAreClearErrors) {
  ProgramRun run = export_images("--out " + out_.string() + " --data /nonexistent/mnist");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("--data /nonexistent/mnist does not exist or is not a folder"), std::string::npos)
      << run.output;
  run = export_images("--out " + out_.string() + " --format gif");
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("--format"), std::string::npos) << run.output;
  run = export_images("--out " + out_.string() + " --data " + fs::temp_directory_path().string());
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.output.find("expected train-images-idx3-ubyte or train-images-idx3-ubyte.gz"), std::string::npos)
      << run.output;
}

}  // namespace
