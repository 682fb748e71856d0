// ModelCheckpoint and BackupAndRestore: fit()'s state through train::Checkpoint and its manager.
#include <cmath>
#include <cstdio>
#include <limits>

#include "engine/check.h"
#include "tapeflow/keras/model.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/train/callbacks.h"
#include "tapeflow/train/checkpoint_manager.h"

namespace tapeflow::callbacks {

namespace detail {

struct TrainingState {
  TrainingState(Model& model, const std::filesystem::path& directory, const std::string& name,
                std::optional<int> max_to_keep)
      : checkpoint({{"model", model}, {"optimizer", model.optimizer()}, {"epoch", epoch}}),
        manager(checkpoint, directory, name, max_to_keep) {}

  Variable epoch{zeros({}, DType::kInt64), "epoch", false};
  train::Checkpoint checkpoint;
  train::CheckpointManager manager;

  void set_epoch(int64_t next_epoch) { epoch.assign(constant(std::vector<int64_t>{next_epoch}, Shape{})); }
};

}  // namespace detail

ModelCheckpoint::ModelCheckpoint(ModelCheckpointOptions options)
    : options_(std::move(options)),
      maximize_(monitor_maximizes("ModelCheckpoint", options_.monitor, options_.mode)),
      best_(maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()) {}

void ModelCheckpoint::on_train_begin(Model& model) {
  state_ = std::make_shared<detail::TrainingState>(model, options_.directory, options_.checkpoint_name, options_.max_to_keep);
}

void ModelCheckpoint::on_epoch_end(Model&, int epoch, const Logs& logs) {
  if (options_.save_best_only) {
    const auto it = logs.find(options_.monitor);
    TAPEFLOW_CHECK(it != logs.end(), "ModelCheckpoint: monitor '{}' is not among the epoch's logs", options_.monitor);
    const bool improved = maximize_ ? it->second > best_ : it->second < best_;
    if (!improved || std::isnan(it->second)) return;
    best_ = it->second;
  }
  state_->set_epoch(epoch + 1);
  state_->manager.save(epoch + 1);
}

std::vector<std::string> ModelCheckpoint::checkpoints() const {
  return state_ ? state_->manager.checkpoints() : std::vector<std::string>{};
}

BackupAndRestore::BackupAndRestore(std::filesystem::path backup_dir) : backup_dir_(std::move(backup_dir)) {}

void BackupAndRestore::on_train_begin(Model& model) {
  state_ = std::make_shared<detail::TrainingState>(model, backup_dir_, "backup", 1);
  const std::string latest = state_->manager.latest_checkpoint();
  if (latest.empty()) return;
  state_->checkpoint.restore(latest);  // weights and slots apply now or as they are created
  model.resume_at_epoch = static_cast<int>(state_->epoch.item<int64_t>());
  std::printf("BackupAndRestore: resuming from %s at epoch %d\n", latest.c_str(), *model.resume_at_epoch + 1);
}

void BackupAndRestore::on_epoch_end(Model&, int epoch, const Logs&) {
  state_->set_epoch(epoch + 1);
  state_->manager.save();
}

void BackupAndRestore::on_train_end(Model&, const Logs&) {
  std::filesystem::remove_all(backup_dir_);  // fit() finished: nothing to resume
}

}  // namespace tapeflow::callbacks
