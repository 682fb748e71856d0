#pragma once
// How ops talk to tapes. An op computes its outputs, then calls record() with a backward function;
// record() does nothing unless an active, recording tape watches one of the inputs.
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/ops/op_id.h"
#include "tapeflow/gradient_tape.h"
#include "tapeflow/tensor.h"

namespace tapeflow::autodiff {

// Given the gradients of the op's outputs (never undefined: missing ones are zeros) and which inputs
// need a gradient, returns one gradient per input (undefined where not needed or not differentiable).
using BackwardFn =
    std::function<std::vector<Tensor>(const std::vector<Tensor>& output_grads, const std::vector<bool>& needs_grad)>;

struct TapeEntry {
  OpId op;
  std::vector<uint64_t> input_ids;  // 0 for an undefined input
  std::vector<bool> input_is_trainable_variable;
  std::vector<uint64_t> output_ids;
  std::vector<Shape> output_shapes;
  Device device;
  BackwardFn backward;
  std::string layer;  // the layers calling the op ("sequential/dense_1"), kept only for check_numerics
};

// Whether a GradientTape is alive on this thread (recording or not): the thread is training.
bool any_tape_alive();

// Whether any active tape would record an op on these inputs (cheap; false when no tape is alive).
bool should_record(std::initializer_list<const Tensor*> inputs);
bool should_record(const std::vector<Tensor>& inputs);

void record(OpId op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs, BackwardFn backward);

// While alive, no op on this thread is recorded on any tape (variable updates, metrics).
class NoRecordScope {
 public:
  NoRecordScope();
  ~NoRecordScope();
  NoRecordScope(const NoRecordScope&) = delete;
  NoRecordScope& operator=(const NoRecordScope&) = delete;

 private:
  bool previous_;
};

// Backward rules that call non-recording gradient kernels use this guard: if a tape would record the
// gradient computation (a second derivative), it throws "not implemented" instead of silently
// returning a wrong (zero) second derivative.
void require_first_order(OpId op, std::initializer_list<const Tensor*> inputs);

}  // namespace tapeflow::autodiff
