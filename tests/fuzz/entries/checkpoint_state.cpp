#include <stdexcept>

#include "fuzz_entries.h"
#include "tapeflow/train/checkpoint_state.h"

namespace tapeflow::fuzz {

// What we read, we must write back so that it reads the same: CheckpointManager rewrites the state file it
// found, and a path changed on the way would lose a checkpoint.
void checkpoint_state(std::string_view data) {
  const train::CheckpointState state = train::parse_checkpoint_state(data, "fuzz input");
  const train::CheckpointState again = train::parse_checkpoint_state(state.to_text(), "fuzz input, written back");
  if (again.model_checkpoint_path != state.model_checkpoint_path ||
      again.all_model_checkpoint_paths != state.all_model_checkpoint_paths)
    throw std::logic_error("checkpoint state: writing the parsed state and reading it back changed a path");
}

}  // namespace tapeflow::fuzz
