// textgen as a user runs it: checkpoints every N steps, --resume continues, --sample-only samples from
// the newest checkpoint without training, and a checkpoint from another corpus is refused by name.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_program.h"
#include "tapeflow/train/checkpoint.h"

namespace fs = std::filesystem;

namespace {

using tapeflow::testing::ProgramRun;
using tapeflow::testing::run_program;

ProgramRun textgen(const std::string& args) { return run_program("textgen", args); }

class Textgen : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tapeflow_textgen_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "corpus.txt") << "the quick brown fox jumps over the lazy dog. " << "pack my box with five dozen "
                                       << "liquor jugs. how vexingly quick daft zebras jump!\n";
    std::ofstream(dir_ / "other.txt") << "0123456789 abcdefghij 0123456789 abcdefghij 0123456789 abcdefghij\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string common() const {
    return "--threads 1 --seed 3 --batch-size 8 --seq-length 10 --sample-length 20 --log-every 10 --text " +
           (dir_ / "corpus.txt").string() + " --ckpt-dir " + (dir_ / "save").string();
  }
  fs::path dir_;
};

}  // namespace

TEST_F(Textgen, CheckpointsResumesAndSamplesFromTheNewest) {
  ProgramRun r = textgen(common() + " --steps 25 --save-every 10 --logdir " + (dir_ / "logs").string());
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* kept : {"ckpt-10", "ckpt-20", "ckpt-25"}) EXPECT_TRUE(fs::exists(dir_ / "save" / (std::string(kept) + ".safetensors"))) << kept;
  EXPECT_EQ(tapeflow::train::latest_checkpoint(dir_ / "save"), (dir_ / "save" / "ckpt-25").string());
  EXPECT_TRUE(fs::exists(dir_ / "logs"));

  r = textgen(common() + " --steps 30 --save-every 10 --resume");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ckpt-25: 25 step(s) done"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("step 30: loss"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("step 20: loss"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "save" / "ckpt-10.safetensors"));  // the newest 3 are kept
  EXPECT_TRUE(fs::exists(dir_ / "save" / "ckpt-30.safetensors"));

  r = textgen(common() + " --sample-only");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ckpt-30: 30 step(s) done"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--- temperature 1.2 ---"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("loss"), std::string::npos) << r.output;  // no training
}

TEST_F(Textgen, RestoringNeedsAMatchingCheckpoint) {
  ProgramRun r = textgen("--sample-only --text " + (dir_ / "corpus.txt").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--sample-only needs --ckpt-dir"), std::string::npos) << r.output;
  r = textgen(common() + " --sample-only");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--sample-only: no checkpoint in"), std::string::npos) << r.output;

  ASSERT_EQ(textgen(common() + " --steps 2").status, 0);
  r = textgen("--sample-only --threads 1 --batch-size 8 --seq-length 10 --text " + (dir_ / "other.txt").string() +
              " --ckpt-dir " + (dir_ / "save").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("has shape"), std::string::npos) << r.output;  // another vocabulary size
}

// `ulimit -f` stands in for a full disk: the program must report the failed write (it ignores SIGXFSZ, which
// would kill it without a word) and leave the previous checkpoint as it was.
TEST_F(Textgen, AFullDiskWhileSavingIsAnErrorAndKeepsThePreviousCheckpoint) {
  ASSERT_EQ(textgen(common() + " --steps 2").status, 0);
  const fs::path previous = dir_ / "save" / "ckpt-2.safetensors";
  const auto read = [](const fs::path& path) { return (std::stringstream() << std::ifstream(path).rdbuf()).str(); };
  const std::string before = read(previous);

  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 64 * 1024;  // the checkpoint needs ~1.2 MB; the program's log stays far below this
  ::setrlimit(RLIMIT_FSIZE, &small);
  const ProgramRun r = textgen(common() + " --steps 4 --resume --save-every 1");
  ::setrlimit(RLIMIT_FSIZE, &old_limit);

  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("File too large"), std::string::npos) << r.output;
  EXPECT_EQ(read(previous), before);
  EXPECT_EQ(tapeflow::train::latest_checkpoint(dir_ / "save"), (dir_ / "save" / "ckpt-2").string());
}
