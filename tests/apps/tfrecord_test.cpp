// The tfrecord program as a user runs it: write a class-per-folder tree, inspect it, verify it, and
// verify a damaged copy (exit 1 naming the offset); the records parse back with the notes' description.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_program.h"
#include "tapeflow/io/parse_example.h"
#include "tapeflow/io/tfrecord_reader.h"

namespace fs = std::filesystem;
namespace io = tapeflow::io;

namespace {

using tapeflow::testing::ProgramRun;
using tapeflow::testing::run_program;

ProgramRun tfrecord(const std::string& args) { return run_program("tfrecord", args); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class TFRecordTool : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tapeflow_tfrecord_tool_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    // Classes sorted by name: "ankle boot" -> 0, "coat" -> 1.
    for (const char* cls : {"coat", "ankle boot"}) fs::create_directories(dir_ / "images" / cls);
    std::ofstream(dir_ / "images" / "coat" / "b.jpg", std::ios::binary) << std::string("\xff\xd8 coat b", 8);
    std::ofstream(dir_ / "images" / "coat" / "a.png", std::ios::binary) << "coat a";
    std::ofstream(dir_ / "images" / "ankle boot" / "1.JPEG", std::ios::binary) << "boot 1";
    std::ofstream(dir_ / "images" / "ankle boot" / "README") << "not an image";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string images() const { return "--images '" + (dir_ / "images").string() + "'"; }
  fs::path dir_;
};

}  // namespace

TEST_F(TFRecordTool, WriteInspectVerifyAndParseBack) {
  const fs::path out = dir_ / "train.tfrecord";
  ProgramRun r = tfrecord("write " + images() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "label 0: ankle boot (1 images)")) << r.output;
  EXPECT_TRUE(contains(r.output, "label 1: coat (2 images)")) << r.output;
  EXPECT_TRUE(contains(r.output, "wrote 3 records")) << r.output;
  EXPECT_TRUE(contains(r.output, "skipped 1 files that are not images")) << r.output;

  io::TFRecordReader reader(out);
  std::vector<std::pair<std::string, int64_t>> seen;
  while (auto record = reader.next()) {
    const auto f = io::parse_single_example(*record, {{"image", io::FixedLenFeature({}, tapeflow::DType::kString)},
                                                      {"label", io::FixedLenFeature({}, tapeflow::DType::kInt64)}});
    seen.emplace_back(f["image"].item<std::string>(), f["label"].item<int64_t>());
  }
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"boot 1", 0}, {"coat a", 1}, {std::string("\xff\xd8 coat b", 8), 1}};
  EXPECT_EQ(seen, expected);

  r = tfrecord("inspect " + out.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, ": 3 records (NONE)")) << r.output;
  EXPECT_TRUE(contains(r.output, "image                    bytes_list            3  1")) << r.output;
  EXPECT_TRUE(contains(r.output, "label                    int64_list            3  1")) << r.output;

  r = tfrecord("verify " + out.string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "3 records, every length and payload CRC32C matches")) << r.output;
}

TEST_F(TFRecordTool, VerifyNamesTheOffsetOfDamage) {
  const fs::path out = dir_ / "train.tfrecord";
  ASSERT_EQ(tfrecord("write " + images() + " --out " + out.string()).status, 0);
  std::string bytes;
  {
    std::stringstream s;
    s << std::ifstream(out, std::ios::binary).rdbuf();
    bytes = s.str();
  }
  io::TFRecordReader reader(out);
  reader.next();
  const uint64_t second = reader.offset();  // where the second record starts: damage its payload
  const std::string at = "at byte offset " + std::to_string(second);
  bytes[second + 12 + 5] ^= 0x01;
  std::ofstream(dir_ / "bad.tfrecord", std::ios::binary) << bytes;
  ProgramRun r = tfrecord("verify " + (dir_ / "bad.tfrecord").string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "corrupted record: the payload's CRC32C does not match")) << r.output;
  EXPECT_TRUE(contains(r.output, at + " (1 good records before it)")) << r.output;

  std::ofstream(dir_ / "cut.tfrecord", std::ios::binary) << bytes.substr(0, second + 8);
  r = tfrecord("verify " + (dir_ / "cut.tfrecord").string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "truncated record: header has 8 of 12 bytes " + at)) << r.output;
}

TEST_F(TFRecordTool, GzipAndItsHint) {
  const fs::path out = dir_ / "train.tfrecord.gz";
  ASSERT_EQ(tfrecord("write " + images() + " --out " + out.string() + " --compression gzip").status, 0);
  EXPECT_EQ(tfrecord("verify --compression gzip " + out.string()).status, 0);
  const ProgramRun r = tfrecord("inspect " + out.string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "the file starts like gzip: try --compression gzip")) << r.output;
}

TEST_F(TFRecordTool, ClearErrorsForBadInput) {
  ProgramRun r = tfrecord("write --images " + (dir_ / "nowhere").string() + " --out " + (dir_ / "x").string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "tfrecord: --images " + (dir_ / "nowhere").string() + ": not a folder")) << r.output;
  fs::create_directories(dir_ / "flat");
  r = tfrecord("write --images " + (dir_ / "flat").string() + " --out " + (dir_ / "x").string());
  EXPECT_TRUE(contains(r.output, "expected one sub-folder of images per class, found none")) << r.output;
  r = tfrecord("verify " + (dir_ / "missing.tfrecord").string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "cannot open TFRecord file")) << r.output;
  r = tfrecord("inspect --compression snappy x");
  EXPECT_NE(r.status, 0) << r.output;
  r = tfrecord("--help");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "write")) << r.output;
}
