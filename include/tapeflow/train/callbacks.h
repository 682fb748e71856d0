#pragma once
// The Keras callbacks that write files: TensorBoard logs, checkpoints during fit(), and a backup that
// lets an interrupted fit() resume where it stopped.
//
//   model.fit(x, y, {.epochs = 5, .callbacks = {
//       std::make_shared<tf::callbacks::TensorBoard>(tf::callbacks::TensorBoardOptions{.log_dir = "logs"}),
//       std::make_shared<tf::callbacks::BackupAndRestore>("backup")}});
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "tapeflow/keras/callbacks.h"

namespace tapeflow::summary {
class SummaryWriter;
}

namespace tapeflow::callbacks {

namespace detail {
struct TrainingState;  // a model, its optimizer and an epoch counter under one CheckpointManager
}

struct TensorBoardOptions {
  std::filesystem::path log_dir = "logs";
  // Also write batch_<metric> every this many training steps (0: only per epoch, Keras's "epoch").
  int64_t update_freq = 0;
  // Histograms of every weight every this many epochs (0: none).
  int histogram_freq = 0;
};

// As keras.callbacks.TensorBoard: <log_dir>/train and <log_dir>/validation runs with epoch_<metric>
// scalars (val_ metrics go to validation under their plain name), per-batch batch_<metric> scalars
// stepped by the optimizer's iterations, and weight histograms.
class TensorBoard : public Callback {
 public:
  explicit TensorBoard(TensorBoardOptions options = {});
  ~TensorBoard() override;
  void on_train_begin(Model& model) override;
  void on_train_batch_end(Model& model, int64_t batch, const Logs& logs) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;
  void on_train_end(Model& model, const Logs& logs) override;

 private:
  TensorBoardOptions options_;
  std::shared_ptr<summary::SummaryWriter> train_writer_, validation_writer_;
};

struct ModelCheckpointOptions {
  std::filesystem::path directory = "checkpoints";
  std::string checkpoint_name = "ckpt";
  std::optional<int> max_to_keep = 5;
  // With save_best_only, save only when `monitor` improves (mode "auto", "min" or "max").
  bool save_best_only = false;
  std::string monitor = "val_loss";
  std::string mode = "auto";
};

// Saves the model and its optimizer at the end of every epoch as <directory>/<name>-<epoch>, through a
// CheckpointManager (the `checkpoint` state file, max_to_keep). Restore with train::Checkpoint
// {{"model", model}, {"optimizer", optimizer}}.
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(ModelCheckpointOptions options = {});
  void on_train_begin(Model& model) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;
  // The checkpoints written, oldest first.
  std::vector<std::string> checkpoints() const;

 private:
  ModelCheckpointOptions options_;
  bool maximize_;
  double best_;
  std::shared_ptr<detail::TrainingState> state_;
};

// As keras.callbacks.BackupAndRestore: saves model, optimizer and the epoch to `backup_dir` after every
// epoch; a fit() that starts with a backup present restores it and resumes at the next epoch. A fit()
// that finishes deletes the backup.
class BackupAndRestore : public Callback {
 public:
  explicit BackupAndRestore(std::filesystem::path backup_dir);
  void on_train_begin(Model& model) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;
  void on_train_end(Model& model, const Logs& logs) override;

 private:
  std::filesystem::path backup_dir_;
  std::shared_ptr<detail::TrainingState> state_;
};

}  // namespace tapeflow::callbacks
