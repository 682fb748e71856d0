#pragma once
// What the checkpoint target restores into, and what the seed corpus's checkpoint saves: the kinds of object
// train_mnist checkpoints (a built layer, an optimizer with slots, a counter variable).
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint.h"

namespace tapeflow::fuzz {

struct CheckpointedObjects {
  CheckpointedObjects();
  CheckpointedObjects(const CheckpointedObjects&) = delete;  // the checkpoint holds references to the members
  CheckpointedObjects& operator=(const CheckpointedObjects&) = delete;

  layers::Dense dense{{.units = 3}};
  optimizers::Adam optimizer;
  Variable epoch{zeros({}, DType::kInt64), "epoch", false};
  train::Checkpoint checkpoint{{{"model", dense}, {"optimizer", optimizer}, {"epoch", epoch}}};
};

}  // namespace tapeflow::fuzz
