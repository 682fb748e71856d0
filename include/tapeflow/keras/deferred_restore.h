#pragma once
// Checkpoint values waiting for their variables (TF's deferred restoration). Layers create their
// weights on first call and optimizers their slots on first update, so a checkpoint restored into
// fresh objects parks its values here; each variable takes its value the moment it is created.
#include <map>
#include <string>

#include "tapeflow/tensor.h"
#include "tapeflow/variable.h"

namespace tapeflow {

class DeferredRestore {
 public:
  // `source` names the checkpoint in errors; `values` are keyed by variable name ("dense/kernel") under
  // the owner's name in the checkpoint, `owner` ("myAwesomeModel"; "" for none).
  DeferredRestore(std::string source, std::string owner, std::map<std::string, Tensor> values);

  // Assigns the value saved under `key` to `variable` and forgets it; returns false when none is
  // waiting. A shape or dtype mismatch is an Error naming the variable, the file and both shapes.
  bool apply(const std::string& key, Variable& variable);

  // Values no variable has taken yet.
  const std::map<std::string, Tensor>& pending() const { return values_; }
  const std::string& source() const { return source_; }
  // The key as the checkpoint names it: "myAwesomeModel/dense/kernel".
  std::string checkpoint_key(const std::string& key) const;

 private:
  std::string source_;
  std::string owner_;
  std::map<std::string, Tensor> values_;
};

}  // namespace tapeflow
