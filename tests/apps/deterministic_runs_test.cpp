// Deterministic training on the CPU: the same seed and thread count give bitwise-identical checkpoints
// across two runs of train_mnist and of textgen. The comparison is of the whole .safetensors files
// (header, per-tensor checksums and every tensor's bytes); the `checkpoint` state file beside them holds
// save timestamps and is left out.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mnist_folder.h"
#include "run_program.h"
#include "tapeflow/io/safetensors.h"

namespace fs = std::filesystem;

namespace {

using tapeflow::testing::ProgramRun;
using tapeflow::testing::run_program;

std::string bytes_of(const fs::path& p) {
  std::stringstream s;
  s << std::ifstream(p, std::ios::binary).rdbuf();
  return s.str();
}

// The names of the tensors whose bytes differ between two checkpoints, for a readable failure.
std::string differing_tensors(const fs::path& a, const fs::path& b) {
  const auto ta = tapeflow::io::load_safetensors(a).tensors, tb = tapeflow::io::load_safetensors(b).tensors;
  std::string names;
  for (const auto& [name, tensor] : ta) {
    const auto other = tb.find(name);
    const bool same = other != tb.end() && other->second.shape() == tensor.shape() &&
                      other->second.nbytes() == tensor.nbytes() &&
                      std::memcmp(other->second.raw_data(), tensor.raw_data(), tensor.nbytes()) == 0;
    if (!same) names += name + " ";
  }
  return names.empty() ? "(none: the headers differ)" : names;
}

class DeterministicRuns : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tapeflow_deterministic_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `program args --ckpt-dir <dir>/run<i>` twice and expects `checkpoint` identical in both.
  void expect_identical_checkpoints(const std::string& program, const std::string& args, const std::string& checkpoint) {
    fs::path saved[2];
    for (int i = 0; i < 2; ++i) {
      const fs::path ckpt_dir = dir_ / (program + "_run" + std::to_string(i));
      fs::remove_all(ckpt_dir);
      const ProgramRun r = run_program(program, args + " --ckpt-dir " + ckpt_dir.string());
      ASSERT_EQ(r.status, 0) << r.output;
      saved[i] = ckpt_dir / checkpoint;
      ASSERT_TRUE(fs::exists(saved[i])) << r.output;
    }
    EXPECT_TRUE(bytes_of(saved[0]) == bytes_of(saved[1]))
        << program << " " << args << ": tensors differ: " << differing_tensors(saved[0], saved[1]);
  }
  fs::path dir_;
};

}  // namespace

TEST_F(DeterministicRuns, TrainMnistGivesIdenticalCheckpoints) {
  tapeflow::testing::write_mnist_split(dir_, "train", 200, 1);
  tapeflow::testing::write_mnist_split(dir_, "t10k", 50, 2);
  const std::string data = " --epochs 1 --seed 7 --data " + dir_.string();
  expect_identical_checkpoints("train_mnist", "--model cnn --threads 2" + data, "ckpt-1.safetensors");
  expect_identical_checkpoints("train_mnist", "--model mlp --loop tape --threads 2" + data, "ckpt-1.safetensors");
  expect_identical_checkpoints("train_mnist", "--model cnn --threads 1" + data, "ckpt-1.safetensors");
}

TEST_F(DeterministicRuns, TextgenGivesIdenticalCheckpoints) {
  const fs::path corpus = dir_ / "corpus.txt";
  std::ofstream(corpus) << "the quick brown fox jumps over the lazy dog. pack my box with five dozen liquor jugs. "
                        << "how vexingly quick daft zebras jump!\n";
  const std::string args = " --seed 3 --batch-size 8 --seq-length 10 --sample-length 20 --steps 10 --save-every 10 "
                           "--text " + corpus.string();
  expect_identical_checkpoints("textgen", "--threads 2" + args, "ckpt-10.safetensors");
  expect_identical_checkpoints("textgen", "--threads 1" + args, "ckpt-10.safetensors");
}
