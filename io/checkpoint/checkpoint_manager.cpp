#include "tapeflow/train/checkpoint_manager.h"

#include "engine/check.h"
#include "io/unix_time.h"
#include "tapeflow/train/checkpoint_state.h"

namespace tapeflow::train {

CheckpointManager::CheckpointManager(Checkpoint& checkpoint, std::filesystem::path directory,
                                     std::string checkpoint_name, std::optional<int> max_to_keep)
    : checkpoint_(checkpoint),
      directory_(std::move(directory)),
      checkpoint_name_(std::move(checkpoint_name)),
      max_to_keep_(max_to_keep) {
  TAPEFLOW_CHECK(!max_to_keep_ || *max_to_keep_ > 0, "CheckpointManager: max_to_keep must be positive, found {}",
                 max_to_keep_.value_or(0));
  TAPEFLOW_CHECK(!checkpoint_name_.empty() && checkpoint_name_.find('/') == std::string::npos,
                 "CheckpointManager: checkpoint_name '{}' must be a plain file name", checkpoint_name_);
  // As TF does: an earlier run's checkpoints newer than its last preserved one are managed again.
  if (const std::optional<CheckpointState> state = read_checkpoint_state(directory_)) {
    last_preserved_timestamp_ = state->last_preserved_timestamp;
    const auto& paths = state->all_model_checkpoint_paths;
    const auto& times = state->all_model_checkpoint_timestamps;
    for (size_t i = 0; i < paths.size() && i < times.size(); ++i)
      if (times[i] > last_preserved_timestamp_) kept_.push_back({paths[i], times[i]});
  }
}

std::string CheckpointManager::save(std::optional<int64_t> checkpoint_number) {
  checkpoint_.increment_save_counter();
  const std::string name = fmt::format("{}-{}", checkpoint_name_, checkpoint_number.value_or(checkpoint_.save_counter()));
  const std::string path = checkpoint_.write((directory_ / name).string());

  // Re-saving a name moves it to the newest place.
  std::erase_if(kept_, [&](const Kept& k) { return k.path == name; });
  kept_.push_back({name, io::unix_seconds()});
  std::vector<Kept> expired;
  while (max_to_keep_ && kept_.size() > static_cast<size_t>(*max_to_keep_)) {
    expired.push_back(kept_.front());
    kept_.erase(kept_.begin());
  }
  // Only now, with the data durable, does the state file name it; files go once nothing names them.
  write_state();
  for (const Kept& k : expired) {
    std::error_code ignored;  // a file deleted by hand is not an error
    std::filesystem::remove(checkpoint_data_file((directory_ / k.path).string()), ignored);
  }
  return path;
}

void CheckpointManager::write_state() const {
  CheckpointState state{.model_checkpoint_path = kept_.back().path, .last_preserved_timestamp = last_preserved_timestamp_};
  for (const Kept& k : kept_) {
    state.all_model_checkpoint_paths.push_back(k.path);
    state.all_model_checkpoint_timestamps.push_back(k.timestamp);
  }
  write_checkpoint_state(directory_, state);
}

std::string CheckpointManager::latest_checkpoint() const {
  return kept_.empty() ? "" : (directory_ / kept_.back().path).string();
}

std::vector<std::string> CheckpointManager::checkpoints() const {
  std::vector<std::string> paths;
  for (const Kept& k : kept_) paths.push_back((directory_ / k.path).string());
  return paths;
}

}  // namespace tapeflow::train
