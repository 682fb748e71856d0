#pragma once
// tapeflow::Variable: a Tensor that the engine updates in place (optimizers) and that every
// GradientTape watches automatically when it is trainable, as tf.Variable.
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow {

class Variable : public Tensor {
 public:
  Variable() = default;
  // Copies `initial_value` into fresh storage; the variable's shape and dtype are fixed from then on.
  explicit Variable(const Tensor& initial_value, std::string name = "Variable", bool trainable = true);

  const std::string& name() const;
  bool trainable() const;

  // In-place updates; `value` must have the variable's shape and dtype (and device).
  void assign(const Tensor& value);
  void assign_add(const Tensor& delta);
  void assign_sub(const Tensor& delta);
  // The current value as a plain tensor snapshot (a copy).
  Tensor read_value() const { return clone(); }
};

}  // namespace tapeflow
