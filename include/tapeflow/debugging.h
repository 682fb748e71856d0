#pragma once
// As tf.debugging.enable_check_numerics: while enabled, every float32 output of every op — forward
// ops, the gradient ops a GradientTape runs, and optimizer updates — is checked, and the first NaN or
// ±Inf throws a tapeflow::Error naming the op, its layer and the training step, for example
//   check_numerics: op 'matmul' (backward) in layer 'sequential/dense_1' produced NaN at step 37
//   (epoch 1, batch 12): output 0, shape [50, 10], first bad element at index 123
// The step is the optimizer's update count, 1-based (the update in progress: optimizer.iterations() + 1);
// epoch and batch (1-based, as the progress bar) are named inside Model::fit. Checking costs a pass over
// each output (on a GPU, a reduction and a wait for the device); disabled, one relaxed load per op.
#include <atomic>

namespace tapeflow::debugging {

void enable_check_numerics();
void disable_check_numerics();

namespace detail {
extern std::atomic<bool> check_numerics_flag;
}

inline bool check_numerics_enabled() { return detail::check_numerics_flag.load(std::memory_order_relaxed); }

}  // namespace tapeflow::debugging
