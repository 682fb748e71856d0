// The file-writing Keras callbacks inside fit(): TensorBoard's runs and tags, ModelCheckpoint's
// numbered checkpoints, and BackupAndRestore resuming an interrupted fit() exactly.
#include "tapeflow/train/callbacks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "proto_reader.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;

namespace {

class CallbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tapeflow_cb_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

const tf::Tensor kX = tf::random::normal({120, 6}, 0.f, 1.f, 3);
const tf::Tensor kY = tf::random::uniform_int({120}, 0, 3, 4);

std::unique_ptr<tf::Sequential> compiled_model() {
  tf::random::set_seed(9);
  auto model = std::make_unique<tf::Sequential>(std::vector<tf::AnyLayer>{
      tf::layers::Dense({.units = 8, .activation = "relu"}), tf::layers::Dense({.units = 3, .activation = "softmax"})});
  model->compile(tf::optimizers::Adam({.learning_rate = 1e-2}), tf::losses::SparseCategoricalCrossentropy(),
                 {"sparse_categorical_accuracy"});
  return model;
}

tf::FitOptions fit_options(int epochs, std::vector<std::shared_ptr<tf::callbacks::Callback>> callbacks) {
  return {.epochs = epochs, .batch_size = 20, .callbacks = std::move(callbacks), .verbose = 0, .seed = 5};
}

// (tag, step) of every scalar summary in the one event file of `run`.
std::multiset<std::pair<std::string, int64_t>> scalars_in(const fs::path& run, std::set<std::string>* histograms = nullptr) {
  std::multiset<std::pair<std::string, int64_t>> found;
  for (const auto& file : fs::directory_iterator(run)) {
    for (const std::string& record : tf::testing::read_records(file.path())) {
      const auto event = tf::testing::parse_proto(record);
      if (!event.bytes.count(5)) continue;
      const auto value = event.sub(5).sub(1);
      const std::string plugin = value.sub(9).sub(1).str(1);
      if (plugin == "scalars") found.insert({value.str(1), static_cast<int64_t>(event.varints.at(2).at(0))});
      if (plugin == "histograms" && histograms) histograms->insert(value.str(1));
    }
  }
  return found;
}

std::vector<std::vector<float>> weights_of(const tf::Model& model) {
  std::vector<std::vector<float>> out;
  for (const tf::Variable& v : model.variables()) out.push_back(v.numpy<float>());
  return out;
}

// Simulates a crash: throws at the end of epoch `epoch` (after the other callbacks have run).
struct CrashAfterEpoch : tf::callbacks::Callback {
  explicit CrashAfterEpoch(int epoch) : epoch(epoch) {}
  void on_epoch_end(tf::Model&, int e, const tf::callbacks::Logs&) override {
    if (e == epoch) throw std::runtime_error("simulated crash");
  }
  int epoch;
};

}  // namespace

TEST_F(CallbacksTest, TensorBoardWritesKerasRunsAndTags) {
  auto model = compiled_model();
  tf::FitOptions options = fit_options(2, {std::make_shared<tf::callbacks::TensorBoard>(
                                              tf::callbacks::TensorBoardOptions{.log_dir = dir_, .update_freq = 4, .histogram_freq = 1})});
  options.validation_data = {kX, kY};
  model->fit(kX, kY, options);

  std::set<std::string> histograms;
  const auto train = scalars_in(dir_ / "train", &histograms);
  for (int epoch : {0, 1}) {
    EXPECT_EQ(train.count({"epoch_loss", epoch}), 1u);
    EXPECT_EQ(train.count({"epoch_sparse_categorical_accuracy", epoch}), 1u);
  }
  for (int64_t step : {4, 8, 12}) EXPECT_EQ(train.count({"batch_loss", step}), 1u) << step;  // 12 steps in all
  EXPECT_EQ(train.count({"batch_loss", 5}), 0u);
  EXPECT_EQ(histograms, (std::set<std::string>{"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}));
  const auto validation = scalars_in(dir_ / "validation");
  EXPECT_EQ(validation.count({"epoch_loss", 1}), 1u);
  EXPECT_EQ(validation.count({"epoch_sparse_categorical_accuracy", 0}), 1u);
  EXPECT_EQ(validation.size(), 4u);
}

TEST_F(CallbacksTest, ModelCheckpointSavesEachEpochOrTheBest) {
  auto model = compiled_model();
  auto every = std::make_shared<tf::callbacks::ModelCheckpoint>(
      tf::callbacks::ModelCheckpointOptions{.directory = dir_ / "every", .max_to_keep = 2});
  auto best = std::make_shared<tf::callbacks::ModelCheckpoint>(tf::callbacks::ModelCheckpointOptions{
      .directory = dir_ / "best", .save_best_only = true, .monitor = "loss"});
  model->fit(kX, kY, fit_options(3, {every, best}));
  EXPECT_EQ(every->checkpoints(),
            (std::vector<std::string>{(dir_ / "every" / "ckpt-2").string(), (dir_ / "every" / "ckpt-3").string()}));
  EXPECT_FALSE(best->checkpoints().empty());  // the training loss fell at least once
  EXPECT_EQ(best->checkpoints().back(), (dir_ / "best" / "ckpt-3").string());  // and it fell in the last epoch

  // The last checkpoint holds the trained weights.
  auto restored = compiled_model();
  tf::train::Checkpoint({{"model", *restored}}).restore(tf::train::latest_checkpoint(dir_ / "every"));
  restored->build({-1, 6});
  EXPECT_EQ(weights_of(*restored), weights_of(*model));

  auto bad = std::make_shared<tf::callbacks::ModelCheckpoint>(
      tf::callbacks::ModelCheckpointOptions{.directory = dir_ / "bad", .save_best_only = true, .monitor = "val_nothing"});
  EXPECT_THROW(compiled_model()->fit(kX, kY, fit_options(1, {bad})), tf::Error);
}

TEST_F(CallbacksTest, BackupAndRestoreResumesAnInterruptedFitExactly) {
  auto straight = compiled_model();
  straight->fit(kX, kY, fit_options(3, {}));

  auto interrupted = compiled_model();
  auto backup = std::make_shared<tf::callbacks::BackupAndRestore>(dir_ / "backup");
  EXPECT_THROW(interrupted->fit(kX, kY, fit_options(3, {backup, std::make_shared<CrashAfterEpoch>(1)})),
               std::runtime_error);
  EXPECT_TRUE(fs::exists(dir_ / "backup" / "checkpoint"));

  auto resumed = compiled_model();  // a fresh process would start like this
  const tf::History history =
      resumed->fit(kX, kY, fit_options(3, {std::make_shared<tf::callbacks::BackupAndRestore>(dir_ / "backup")}));
  EXPECT_EQ(history.epoch, std::vector<int>{2});  // epochs 0 and 1 came from the backup
  EXPECT_EQ(weights_of(*resumed), weights_of(*straight));
  EXPECT_EQ(resumed->optimizer().iterations(), straight->optimizer().iterations());
  EXPECT_FALSE(fs::exists(dir_ / "backup"));  // a finished fit() needs no backup
}
