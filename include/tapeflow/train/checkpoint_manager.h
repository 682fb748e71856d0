#pragma once
// tf.train.CheckpointManager: numbered checkpoints in one directory, at most max_to_keep of them (the
// oldest are deleted), recorded in TF's `checkpoint` state file.
//
//   tf::train::CheckpointManager manager(checkpoint, "./save", "model.ckpt", 3);
//   std::string path = manager.save(batch_index);   // ./save/model.ckpt-<batch_index>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tapeflow/train/checkpoint.h"

namespace tapeflow::train {

class CheckpointManager {
 public:
  // max_to_keep: a positive count, or nullopt to keep every checkpoint. Picks up the checkpoints an
  // earlier run recorded in `directory`'s state file.
  CheckpointManager(Checkpoint& checkpoint, std::filesystem::path directory, std::string checkpoint_name = "ckpt",
                    std::optional<int> max_to_keep = 5);

  // Writes `<directory>/<checkpoint_name>-<N>`, N = checkpoint_number if given, else the checkpoint's
  // incremented save counter; updates the state file only after the data is durable, then deletes the
  // oldest beyond max_to_keep. Returns the path.
  std::string save(std::optional<int64_t> checkpoint_number = std::nullopt);

  // The newest checkpoint's path, "" when there is none.
  std::string latest_checkpoint() const;
  // The kept checkpoints, oldest first.
  std::vector<std::string> checkpoints() const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct Kept {
    std::string path;
    double timestamp;
  };
  void write_state() const;

  Checkpoint& checkpoint_;
  std::filesystem::path directory_;
  std::string checkpoint_name_;
  std::optional<int> max_to_keep_;
  std::vector<Kept> kept_;
  double last_preserved_timestamp_ = 0;
};

}  // namespace tapeflow::train
