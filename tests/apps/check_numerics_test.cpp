// --check-numerics on the programs: a run whose learning rate blows the weights up stops at the first op
// that produces NaN or Inf, with a message naming it, and exits with status 1; without the flag the same
// run goes on to the end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mnist_folder.h"
#include "run_program.h"

namespace fs = std::filesystem;

namespace {

using tapeflow::testing::ProgramRun;
using tapeflow::testing::run_program;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// "op 'matmul' in layer 'mlp/dense_1' produced -Inf", "op 'sqrt' (backward) produced NaN", ...
const std::string kOpProduced = "op '[a-z_0-9]+'( \\(backward\\))?( in layer '[a-z_0-9/]+')? produced (NaN|-?Inf)";
const std::string kWhere = ": output [0-9]+, shape \\[[0-9, ]+\\], first bad element at index [0-9]+";

class CheckNumericsFlag : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tapeflow_numerics_flag_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_F(CheckNumericsFlag, TrainMnistStopsAtTheFirstNonFiniteOutput) {
  tapeflow::testing::write_mnist_split(dir_, "train", 200, 1);
  tapeflow::testing::write_mnist_split(dir_, "t10k", 50, 2);
  const std::string run = "--model mlp --epochs 1 --threads 1 --seed 7 --lr 1e30 --data " + dir_.string();

  ProgramRun r = run_program("train_mnist", run + " --check-numerics");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("train_mnist: check_numerics: " + kOpProduced +
                                      " at step [0-9]+ \\(epoch 1, batch [0-9]+\\)" + kWhere));
  r = run_program("train_mnist", run + " --loop tape --check-numerics");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("train_mnist: check_numerics: " + kOpProduced + " at step [0-9]+" + kWhere));

  r = run_program("train_mnist", run);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("check_numerics:")));
}

TEST_F(CheckNumericsFlag, TextgenStopsAtTheFirstNonFiniteOutput) {
  std::ofstream(dir_ / "corpus.txt") << "the quick brown fox jumps over the lazy dog. pack my box with five dozen "
                                     << "liquor jugs. how vexingly quick daft zebras jump!\n";
  const ProgramRun r = run_program("textgen", "--threads 1 --seed 3 --batch-size 8 --seq-length 10 --steps 5 "
                                              "--lr 3e38 --check-numerics --text " + (dir_ / "corpus.txt").string());
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("textgen: check_numerics: " + kOpProduced + " at step [0-9]+" + kWhere));
}
