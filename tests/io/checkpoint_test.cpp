// tf.train.Checkpoint and CheckpointManager: what lands on disk, restoring into built and unbuilt
// models (deferred), optimizer slots and iterations, every mismatch and corruption named, and resuming
// that is bitwise exact.
#include "tapeflow/train/checkpoint.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>

#include "error_of.h"
#include "tapeflow/io/atomic_file.h"
#include "tapeflow/io/safetensors.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint_manager.h"
#include "tapeflow/train/checkpoint_state.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;
using tf::testing::error_of;

namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tapeflow_ckpt_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

const tf::Tensor kImages = tf::random::uniform({50, 28, 28, 1}, 0.f, 1.f, 7);
const tf::Tensor kLabels = tf::random::uniform_int({50}, 0, 10, 8);

// One Adam step of the notes' custom loop on a fixed batch.
void train_steps(tf::models::MLP& model, tf::optimizers::Adam& optimizer, int steps) {
  for (int i = 0; i < steps; ++i) {
    tf::GradientTape tape;
    const tf::Tensor loss =
        tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(kLabels, model(kImages, true)));
    const std::vector<tf::Variable> vars = model.trainable_variables();
    optimizer.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
  }
}

std::vector<std::vector<float>> values_of(const std::vector<tf::Variable>& vars) {
  std::vector<std::vector<float>> out;
  for (const tf::Variable& v : vars) out.push_back(v.numpy<float>());
  return out;
}

}  // namespace

TEST_F(CheckpointTest, SaveNumbersFilesAndPointsTheStateFileAtThem) {
  tf::models::MLP model;
  model(kImages);
  tf::train::Checkpoint checkpoint({{"myAwesomeModel", model}});
  EXPECT_EQ(checkpoint.save(path("model.ckpt")), path("model.ckpt-1"));
  EXPECT_EQ(checkpoint.save(path("model.ckpt")), path("model.ckpt-2"));
  EXPECT_TRUE(fs::exists(path("model.ckpt-1.safetensors")));
  EXPECT_TRUE(fs::exists(path("model.ckpt-2.safetensors")));
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), path("model.ckpt-2"));
  const auto state = tf::train::read_checkpoint_state(dir_);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->model_checkpoint_path, "model.ckpt-2");
  EXPECT_EQ(state->all_model_checkpoint_paths, std::vector<std::string>{"model.ckpt-2"});

  const tf::io::SafetensorsContents file = tf::io::load_safetensors(path("model.ckpt-2.safetensors"));
  EXPECT_EQ(file.tensors.at("save_counter").item<int64_t>(), 2);
  EXPECT_EQ(file.tensors.at("myAwesomeModel/dense/kernel").shape(), tf::Shape({784, 100}));
  EXPECT_EQ(file.tensors.at("myAwesomeModel/dense_1/bias").shape(), tf::Shape({10}));
  EXPECT_EQ(file.metadata.at("format"), "tapeflow-checkpoint/1");
  EXPECT_EQ(file.metadata.count("crc32c/myAwesomeModel/dense/kernel"), 1u);
}

TEST_F(CheckpointTest, LatestCheckpointIsEmptyWithoutStateOrData) {
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), "");
  fs::create_directories(dir_);
  tf::train::write_checkpoint_state(dir_, {.model_checkpoint_path = "gone-1"});
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), "");
}

TEST_F(CheckpointTest, RestoresIntoABuiltModel) {
  tf::models::MLP model;
  const tf::Tensor expected = model(kImages);
  tf::train::Checkpoint(std::vector<std::pair<std::string, tf::train::Trackable>>{{"m", model}}).save(path("c"));

  tf::models::MLP other;
  other(kImages);
  tf::train::Checkpoint checkpoint({{"m", other}});
  checkpoint.restore(tf::train::latest_checkpoint(dir_)).assert_consumed();
  EXPECT_EQ(other(kImages).numpy<float>(), expected.numpy<float>());
  EXPECT_EQ(checkpoint.save_counter(), 1);
}

TEST_F(CheckpointTest, RestoreBeforeBuildAppliesOnBuild) {
  tf::models::MLP model;
  const tf::Tensor expected = model(kImages);
  tf::train::Checkpoint({{"m", model}}).write(path("fixed"));

  tf::models::MLP fresh;  // no weights yet
  const tf::train::LoadStatus status = tf::train::Checkpoint({{"m", fresh}}).restore(path("fixed"));
  EXPECT_EQ(status.unmatched_keys().size(), 4u);
  EXPECT_NE(error_of([&] { status.assert_consumed(); }).find("4 value(s) matched no variable"), std::string::npos);
  EXPECT_EQ(fresh(kImages).numpy<float>(), expected.numpy<float>());  // built now, restored on build
  status.assert_consumed();
}

TEST_F(CheckpointTest, OptimizerSlotsAndIterationsResumeExactly) {
  // Straight: 5 steps.
  tf::random::set_seed(42);
  tf::models::MLP straight;
  tf::optimizers::Adam straight_opt({.learning_rate = 1e-3});
  train_steps(straight, straight_opt, 5);

  // Resumed: 3 steps, save through a manager, restore into fresh objects, 2 more.
  tf::random::set_seed(42);
  {
    tf::models::MLP model;
    tf::optimizers::Adam optimizer({.learning_rate = 1e-3});
    train_steps(model, optimizer, 3);
    tf::train::Checkpoint checkpoint({{"model", model}, {"optimizer", optimizer}});
    tf::train::CheckpointManager(checkpoint, dir_, "ckpt", 2).save();
  }
  tf::models::MLP model;
  tf::optimizers::Adam optimizer({.learning_rate = 1e-3});
  tf::train::Checkpoint checkpoint({{"model", model}, {"optimizer", optimizer}});
  const tf::train::LoadStatus status = checkpoint.restore(tf::train::latest_checkpoint(dir_));
  EXPECT_EQ(optimizer.iterations(), 3);
  train_steps(model, optimizer, 2);
  status.assert_consumed();  // Adam's m and v reached their slots on the first step
  EXPECT_EQ(optimizer.iterations(), 5);
  EXPECT_EQ(values_of(model.variables()), values_of(straight.variables()));  // bitwise
}

TEST_F(CheckpointTest, PlainVariablesAndMissingOrUnexpectedKeys) {
  tf::Variable step(tf::zeros({}), "step");
  step.assign(tf::fill(tf::Shape{}, 17.f));
  tf::models::MLP model;
  model(kImages);
  tf::train::Checkpoint({{"step", step}, {"extra", model}}).write(path("c"));

  tf::Variable restored_step(tf::zeros({}), "step");
  tf::Variable never_saved(tf::zeros({2}), "other");
  const tf::train::LoadStatus status =
      tf::train::Checkpoint({{"step", restored_step}, {"other", never_saved}}).restore(path("c"));
  EXPECT_EQ(restored_step.item<float>(), 17.f);
  EXPECT_EQ(status.missing_keys(), std::vector<std::string>{"other"});
  EXPECT_EQ(error_of([&] { status.assert_existing_objects_matched(); }),
            "checkpoint " + path("c") + ": no value for 1 tracked variable(s): other");
  EXPECT_EQ(status.unmatched_keys().size(), 4u);  // the model nobody asked for
  EXPECT_NE(status.unmatched_keys().front().find("extra/dense"), std::string::npos);
}

TEST_F(CheckpointTest, ShapeMismatchNamesTheVariableAndBothShapes) {
  tf::Variable v(tf::zeros({3}), "v");
  tf::train::Checkpoint({{"v", v}}).write(path("c"));
  tf::Variable wrong(tf::zeros({2, 2}), "v");
  EXPECT_EQ(error_of([&] { tf::train::Checkpoint({{"v", wrong}}).restore(path("c")); }),
            "checkpoint " + path("c.safetensors") + ": variable 'v' has shape [2, 2] float32 but the checkpoint holds "
            "[3] float32");
}

TEST_F(CheckpointTest, CorruptOrTruncatedFilesNeverLoad) {
  tf::Variable v(tf::random::normal({64}, 0.f, 1.f, 3), "v");
  tf::train::Checkpoint({{"v", v}}).write(path("c"));
  const std::string good = tf::io::read_file(path("c.safetensors"));

  std::string flipped = good;
  flipped[flipped.size() - 5] ^= 0x10;
  tf::io::write_file_atomically(path("c.safetensors"), flipped);
  tf::Variable target(tf::zeros({64}), "v");
  const std::string corrupt = error_of([&] { tf::train::Checkpoint({{"v", target}}).restore(path("c")); });
  EXPECT_NE(corrupt.find(path("c.safetensors")), std::string::npos) << corrupt;
  EXPECT_NE(corrupt.find("tensor 'v' is corrupt"), std::string::npos) << corrupt;
  EXPECT_EQ(target.numpy<float>(), std::vector<float>(64, 0.f));  // untouched

  tf::io::write_file_atomically(path("c.safetensors"), good.substr(0, good.size() - 10));
  const std::string truncated = error_of([&] { tf::train::Checkpoint({{"v", target}}).restore(path("c")); });
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;

  EXPECT_EQ(error_of([&] { tf::train::Checkpoint({{"v", target}}).restore(path("nope")); }),
            "Checkpoint::restore: no checkpoint at " + path("nope") + " (expected the file " +
                path("nope.safetensors") + ")");
  EXPECT_NE(error_of([&] { tf::train::Checkpoint({{"v", target}}).restore(""); }).find("empty path"),
            std::string::npos);
}

TEST_F(CheckpointTest, ManagerKeepsTheNewestAndNumbersAsAsked) {
  tf::Variable v(tf::zeros({2}), "v");
  tf::train::Checkpoint checkpoint({{"v", v}});
  tf::train::CheckpointManager manager(checkpoint, dir_, "model.ckpt", 2);
  EXPECT_EQ(manager.latest_checkpoint(), "");
  for (int64_t batch : {0, 100, 200}) EXPECT_EQ(manager.save(batch), path("model.ckpt-" + std::to_string(batch)));
  EXPECT_EQ(manager.checkpoints(), (std::vector<std::string>{path("model.ckpt-100"), path("model.ckpt-200")}));
  EXPECT_FALSE(fs::exists(path("model.ckpt-0.safetensors")));
  EXPECT_TRUE(fs::exists(path("model.ckpt-100.safetensors")));
  EXPECT_EQ(manager.latest_checkpoint(), path("model.ckpt-200"));
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), path("model.ckpt-200"));
  EXPECT_EQ(checkpoint.save_counter(), 3);
  EXPECT_EQ(manager.save(), path("model.ckpt-4"));  // the save counter when no number is given

  // A new manager over the same directory takes over the kept checkpoints and keeps pruning.
  tf::train::CheckpointManager again(checkpoint, dir_, "model.ckpt", 2);
  EXPECT_EQ(again.checkpoints(), (std::vector<std::string>{path("model.ckpt-200"), path("model.ckpt-4")}));
  again.save(300);
  EXPECT_FALSE(fs::exists(path("model.ckpt-200.safetensors")));
  const auto state = tf::train::read_checkpoint_state(dir_);
  EXPECT_EQ(state->all_model_checkpoint_paths, (std::vector<std::string>{"model.ckpt-4", "model.ckpt-300"}));
  EXPECT_EQ(state->all_model_checkpoint_timestamps.size(), 2u);
  EXPECT_THROW(tf::train::CheckpointManager(checkpoint, dir_, "x", 0), tf::Error);
}

// A full disk, simulated by a file-size limit on this process (writes fail with EFBIG, as with ENOSPC).
TEST_F(CheckpointTest, AFullDiskIsAClearErrorAndThePreviousCheckpointSurvives) {
  tf::Variable v(tf::random::normal({65536}, 0.f, 1.f, 5), "v");
  tf::train::Checkpoint checkpoint({{"v", v}});
  tf::train::CheckpointManager manager(checkpoint, dir_, "ckpt", 1);
  const std::string first = manager.save();
  const std::string first_bytes = tf::io::read_file(tf::train::checkpoint_data_file(first));

  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 64 * 1024;
  ::setrlimit(RLIMIT_FSIZE, &small);
  const std::string message = error_of([&] { manager.save(); });
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_NE(message.find("cannot write " + path("ckpt-2.safetensors.tmp-")), std::string::npos) << message;
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  EXPECT_EQ(tf::train::latest_checkpoint(dir_), first);
  EXPECT_EQ(tf::io::read_file(tf::train::checkpoint_data_file(first)), first_bytes);
  for (const auto& entry : fs::directory_iterator(dir_))  // no temporary file left behind
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}
