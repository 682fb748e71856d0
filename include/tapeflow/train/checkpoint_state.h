#pragma once
// TensorFlow's `checkpoint` state file: a text-format CheckpointState proto naming the newest checkpoint
// and the ones kept, oldest first, with their save times. TF's tools (tf.train.latest_checkpoint,
// CheckpointManager) read ours and we read theirs.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapeflow::train {

struct CheckpointState {
  std::string model_checkpoint_path;                     // the newest, as written (usually relative)
  std::vector<std::string> all_model_checkpoint_paths;   // oldest -> newest
  std::vector<double> all_model_checkpoint_timestamps;   // Unix seconds, one per path
  double last_preserved_timestamp = 0;

  std::string to_text() const;
};

// `source` names the text in errors; an unknown field or a malformed line is an Error naming both.
CheckpointState parse_checkpoint_state(std::string_view text, const std::string& source);

// The state file's name inside a checkpoint directory.
inline constexpr const char* kCheckpointStateFile = "checkpoint";

// nullopt when `directory` has no state file; an Error when it has an unreadable one.
std::optional<CheckpointState> read_checkpoint_state(const std::filesystem::path& directory);
// Replaces the state file atomically.
void write_checkpoint_state(const std::filesystem::path& directory, const CheckpointState& state);

}  // namespace tapeflow::train
