// train_mnist as a user runs it, on a small synthetic MNIST-format folder: both training loops give the
// same result for a seed, the metrics JSON is written, and bad flags or data are clear errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mnist_folder.h"
#include "run_program.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint.h"

namespace fs = std::filesystem;
namespace tf = tapeflow;

namespace {

using tapeflow::testing::ProgramRun;
using tapeflow::testing::run_program;

const std::string kBin = TAPEFLOW_BIN_DIR;

ProgramRun run(const std::string& args) { return run_program("train_mnist", args); }

class TrainMnist : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("tapeflow_mnist_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    tapeflow::testing::write_mnist_split(dir_, "train", 400, 1);
    tapeflow::testing::write_mnist_split(dir_, "t10k", 100, 2);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static nlohmann::json train(const std::string& loop) {
    const fs::path json = dir_ / ("metrics_" + loop + ".json");
    const ProgramRun r = run("--model mlp --epochs 2 --threads 1 --seed 7 --loop " + loop + " --data " + dir_.string() +
                      " --metrics-json " + json.string());
    EXPECT_EQ(r.status, 0) << r.output;
    return nlohmann::json::parse(std::ifstream(json));
  }
  static size_t files_under(const fs::path& dir, const std::string& name_part) {
    size_t n = 0;
    if (!fs::exists(dir)) return 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
      n += entry.path().filename().string().find(name_part) != std::string::npos;
    return n;
  }
  static inline fs::path dir_;
};

}  // namespace

TEST_F(TrainMnist, FitAndTapeLoopsLearnTheSameModel) {
  const nlohmann::json fit = train("fit");
  const nlohmann::json tape = train("tape");
  EXPECT_GE(fit["test_accuracy"].get<double>(), 0.95);
  EXPECT_EQ(fit["test_accuracy"], tape["test_accuracy"]);
  EXPECT_EQ(fit["test_loss"], tape["test_loss"]);  // same seed, same batches, same ops: bitwise
  EXPECT_EQ(fit["model"], "mlp");
  EXPECT_EQ(fit["epochs"], 2);
  EXPECT_GT(fit["train_examples_per_second"].get<double>(), 0);
}

TEST_F(TrainMnist, PrintsTheSummaryProgressAndTestAccuracy) {
  const ProgramRun r = run("--model mlp --epochs 1 --threads 1 --data " + dir_.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Total params: 79,510"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Epoch 1/1"), std::string::npos);
  EXPECT_NE(r.output.find("8/8 [==============================]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("val_sparse_categorical_accuracy"), std::string::npos);
  EXPECT_NE(r.output.find("Test accuracy: "), std::string::npos);
}

TEST_F(TrainMnist, BadFlagsAndDataAreClearErrors) {
  ProgramRun r = run("--model resnet");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--model: resnet not in {mlp,cnn}"), std::string::npos) << r.output;
  r = run("--epochs -3");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--epochs: expected a number > 0, found -3"), std::string::npos) << r.output;
  r = run("--threads -1");
  EXPECT_NE(r.output.find("--threads: expected a number >= 0, found -1"), std::string::npos) << r.output;
  r = run("--data /nonexistent/folder --epochs 1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("MNIST folder /nonexistent/folder does not exist"), std::string::npos) << r.output;
  r = run("--resume --epochs 1 --data " + dir_.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--resume needs --ckpt-dir"), std::string::npos) << r.output;
  r = run("--resume --ckpt-dir " + (dir_ / "empty").string() + " --epochs 1 --data " + dir_.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--resume: no checkpoint in"), std::string::npos) << r.output;
  r = run("--device tpu --epochs 1 --data " + dir_.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("device \"tpu\": expected cpu, cuda, cuda:N, gpu, gpu:N or auto"), std::string::npos)
      << r.output;
  if (!tf::cuda_is_available()) {
    r = run("--device cuda --epochs 1 --data " + dir_.string());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find("this machine has 0 CUDA device(s) (try --device cpu or auto)"), std::string::npos)
        << r.output;
  }
  r = run("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("--loop"), std::string::npos);
}

TEST_F(TrainMnist, TapeLoopLogsToTensorBoardAndResumesFromItsCheckpointsExactly) {
  const std::string common = "--model mlp --threads 1 --seed 7 --loop tape --data " + dir_.string();
  const fs::path logdir = dir_ / "logs", ckpt = dir_ / "save";
  ProgramRun r = run(common + " --epochs 2 --logdir " + logdir.string() + " --ckpt-dir " + ckpt.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(files_under(logdir, "tfevents"), 1u);
  EXPECT_EQ(files_under(logdir / "plugins" / "profile", ".trace.json"), 1u);
  EXPECT_TRUE(fs::exists(ckpt / "ckpt-1.safetensors"));
  EXPECT_TRUE(fs::exists(ckpt / "ckpt-2.safetensors"));
  EXPECT_EQ(tf::train::latest_checkpoint(ckpt), (ckpt / "ckpt-2").string());

  const fs::path resumed_json = dir_ / "resumed.json", straight_json = dir_ / "straight.json";
  r = run(common + " --epochs 3 --resume --ckpt-dir " + ckpt.string() + " --metrics-json " + resumed_json.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Restored " + (ckpt / "ckpt-2").string() + ": 2 epoch(s) done"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("Epoch 2/3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Epoch 3/3"), std::string::npos) << r.output;
  r = run(common + " --epochs 3 --metrics-json " + straight_json.string());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto resumed = nlohmann::json::parse(std::ifstream(resumed_json));
  const auto straight = nlohmann::json::parse(std::ifstream(straight_json));
  EXPECT_EQ(resumed["test_loss"], straight["test_loss"]);  // bitwise: weights, Adam slots, step count
}

TEST_F(TrainMnist, FitLoopWritesKerasTensorBoardRunsAndCheckpoints) {
  const fs::path logdir = dir_ / "fit_logs", ckpt = dir_ / "fit_save";
  const ProgramRun r = run("--model mlp --epochs 1 --threads 1 --data " + dir_.string() + " --logdir " +
                           logdir.string() + " --ckpt-dir " + ckpt.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(files_under(logdir / "train", "tfevents"), 1u);
  EXPECT_EQ(files_under(logdir / "validation", "tfevents"), 1u);
  EXPECT_EQ(tf::train::latest_checkpoint(ckpt), (ckpt / "ckpt-1").string());
}

// The notes' TFRecord route end to end: the IDX training images exported as JPEG folders per class, written
// to a TFRecord file by our own tools, trained from TFRecordDataset -> map(parse + decode_jpeg) -> shuffle
// -> batch -> prefetch, with both loops; the model learns as well as from the IDX files.
TEST_F(TrainMnist, TrainsFromATFRecordFileOfJpegsAsWellAsFromIdx) {
  const fs::path images = dir_ / "jpegs", records = dir_ / "train.tfrecord";
  const auto tool = [](const std::string& command) {
    return std::system((kBin + "/" + command + " > /dev/null 2>&1").c_str());
  };
  ASSERT_EQ(tool("export_images --data " + dir_.string() + " --out " + images.string()), 0);
  ASSERT_EQ(tool("tfrecord write --images " + images.string() + " --out " + records.string()), 0);
  for (const std::string loop : {"fit", "tape"}) {
    const fs::path json = dir_ / ("tfrecord_" + loop + ".json");
    const ProgramRun r = run("--model mlp --epochs 2 --threads 1 --seed 7 --loop " + loop + " --data " + dir_.string() +
                             " --tfrecord " + records.string() + " --metrics-json " + json.string());
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("400 training records from 1 TFRecord file(s)"), std::string::npos) << r.output;
    const auto metrics = nlohmann::json::parse(std::ifstream(json));
    EXPECT_GE(metrics["test_accuracy"].get<double>(), 0.95) << loop;  // as the IDX route (FitAndTapeLoops...)
  }
  const ProgramRun bad = run("--epochs 1 --data " + dir_.string() + " --tfrecord " + (dir_ / "none.tfrecord").string());
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.output.find("none.tfrecord"), std::string::npos) << bad.output;
}
