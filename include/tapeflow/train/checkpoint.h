#pragma once
// tf.train.Checkpoint: saves and restores named objects — models (their weights by layer path),
// optimizers (slots and iteration count), single variables — as one safetensors file per checkpoint
// (`<prefix>-N.safetensors`, tensors named "myAwesomeModel/dense/kernel", "optimizer/dense/kernel/m",
// each with a CRC32C in the metadata that restore verifies). Files are written atomically.
//
//   tf::train::Checkpoint checkpoint({{"myAwesomeModel", model}, {"optimizer", optimizer}});
//   std::string path = checkpoint.save("./save/model.ckpt");            // ./save/model.ckpt-1
//   checkpoint.restore(tf::train::latest_checkpoint("./save")).assert_consumed();
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tapeflow/keras/layer.h"
#include "tapeflow/keras/optimizers.h"
#include "tapeflow/variable.h"

namespace tapeflow::train {

// One object a checkpoint tracks; held by reference, so it must outlive the checkpoint.
class Trackable {
 public:
  Trackable(Layer& layer) : target_(&layer) {}          // NOLINT(google-explicit-constructor): {"name", model}
  Trackable(optimizers::Optimizer& optimizer) : target_(&optimizer) {}  // NOLINT(google-explicit-constructor)
  Trackable(Variable& variable) : target_(&variable) {}     // NOLINT(google-explicit-constructor)

  const std::variant<Layer*, optimizers::Optimizer*, Variable*>& target() const { return target_; }

 private:
  std::variant<Layer*, optimizers::Optimizer*, Variable*> target_;
};

// What restore() matched. Values for variables that do not exist yet (an unbuilt model, an optimizer
// before its first step) wait and are applied on creation; the asserts say whether everything matched.
class LoadStatus {
 public:
  // `waiting`: per object, the values it has not taken yet.
  using Waiting = std::vector<std::shared_ptr<DeferredRestore>>;
  LoadStatus(std::string path, std::vector<std::string> missing, Waiting waiting);

  // Every value in the file went to a variable and every tracked variable got one (call it after the
  // first step when restoring into fresh objects). Throws an Error listing what did not match.
  const LoadStatus& assert_consumed() const;
  // Every tracked variable that exists now got a value from the file.
  const LoadStatus& assert_existing_objects_matched() const;

  // Checkpoint keys no variable has taken (yet).
  std::vector<std::string> unmatched_keys() const;
  // Tracked variables that existed at restore time and had no value in the file.
  const std::vector<std::string>& missing_keys() const { return missing_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> missing_;
  Waiting waiting_;
};

class Checkpoint {
 public:
  // Names must be distinct and must not contain '/'.
  Checkpoint(std::vector<std::pair<std::string, Trackable>> objects);  // NOLINT(google-explicit-constructor)

  // Increments the save counter and writes `<file_prefix>-<counter>`, then points the `checkpoint` state
  // file in that directory at it. Returns the checkpoint's path (without the file extension).
  std::string save(const std::string& file_prefix);
  // Writes exactly `file_prefix` (no counter, no state file). Returns it.
  std::string write(const std::string& file_prefix);
  // Restores from a path returned by save/write/latest_checkpoint. A missing, truncated or corrupt file,
  // a checksum mismatch or a shape mismatch is an Error naming the file (and the variable).
  LoadStatus restore(const std::string& save_path);

  int64_t save_counter() const { return save_counter_; }

 private:
  friend class CheckpointManager;
  void increment_save_counter() { ++save_counter_; }

  std::vector<std::pair<std::string, Trackable>> objects_;
  int64_t save_counter_ = 0;
};

// The file that holds the checkpoint `prefix` ("save/model.ckpt-3" -> "save/model.ckpt-3.safetensors").
std::filesystem::path checkpoint_data_file(const std::string& prefix);

// The newest checkpoint named by `directory`'s state file, joined onto `directory`, if its data file
// exists; "" otherwise (as tf.train.latest_checkpoint returns None).
std::string latest_checkpoint(const std::filesystem::path& directory);

}  // namespace tapeflow::train
