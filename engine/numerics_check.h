#pragma once
// The engine's side of debugging::enable_check_numerics: the one hook every op's float outputs pass
// through, and the context its message names (layer, gradient, optimizer, step). Disabled, each hook
// is one relaxed load.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ops/op_id.h"
#include "tapeflow/debugging.h"
#include "tapeflow/tensor.h"

namespace tapeflow::debugging::detail {

// Throws if `out` (output `index` of `op`) holds a NaN or ±Inf. Called with the op's result where an op
// returns it; inside a gradient (GradientScope) the message names the gradient's op instead.
void check_op_output(OpId op, const Tensor& out, int index);

inline const Tensor& checked(OpId op, const Tensor& out, int index = 0) {
  if (check_numerics_enabled()) check_op_output(op, out, index);
  return out;
}

// While alive, the thread computes the gradient of a tape entry: ops run meanwhile are reported as
// "op '<op>' (backward)" in the layer that recorded the entry.
class GradientScope {
 public:
  GradientScope(OpId op, const std::string& layer);
  ~GradientScope();
  GradientScope(const GradientScope&) = delete;
  GradientScope& operator=(const GradientScope&) = delete;

  OpId op() const { return op_; }
  const std::string& layer() const { return layer_; }

 private:
  OpId op_;
  const std::string& layer_;
  const GradientScope* enclosing_;
};

// The gradients the current GradientScope's backward function returned, one per input.
void check_gradients(const std::vector<Tensor>& input_grads);

// An optimizer's update left `variable` (named `variable_name`) with a NaN or ±Inf.
void check_updated_variable(std::string_view optimizer, std::string_view variable_name, const Tensor& variable);

// The layers whose call() runs on this thread, outermost first, as "sequential/dense_1" ("" outside
// any); kept by Layer::operator() (engine/keras/layer.cpp).
std::string calling_layer_path();

// The training step in progress (1-based), announced by optimizers as they count updates. Messages
// name it for ops run under a GradientTape or inside Model::fit, and for optimizer updates.
void note_step(int64_t step);

// While alive, the thread runs step `step`, batch `batch` of epoch `epoch` of Model::fit (all 1-based).
class FitPosition {
 public:
  FitPosition(int64_t step, int epoch, int64_t batch);
  ~FitPosition();
  FitPosition(const FitPosition&) = delete;
  FitPosition& operator=(const FitPosition&) = delete;
};

}  // namespace tapeflow::debugging::detail
