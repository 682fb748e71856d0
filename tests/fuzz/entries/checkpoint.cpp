#include "checkpointed_objects.h"
#include "fuzz_entries.h"
#include "scratch_file.h"

namespace tapeflow::fuzz {

CheckpointedObjects::CheckpointedObjects() {
  dense(zeros({1, 4}));
  const std::vector<Variable> vars = dense.trainable_variables();
  optimizer.apply_gradients({zeros({4, 3}), zeros({3})}, vars);
}

// The bytes as a checkpoint's data file, restored into fresh objects: every value the file holds is matched
// against them, so wrong names, dtypes, shapes and checksums all reach the checks.
void checkpoint(std::string_view data) {
  CheckpointedObjects objects;
  const std::filesystem::path file = scratch_file("ckpt-1.safetensors", data);
  objects.checkpoint.restore((file.parent_path() / file.stem()).string()).assert_consumed();
}

}  // namespace tapeflow::fuzz
