#pragma once
// As tf.debugging.enable_check_numerics: while enabled, every float32 output of every op — forward
// ops, the gradient ops a GradientTape runs, and optimizer updates — is checked, and the first NaN or
// ±Inf throws a tapeflow::Error naming the op, its layer and the training step, for example
//   check_numerics: op 'matmul' (backward) in layer 'sequential/dense_1' produced NaN at step 37
//   (epoch 1, batch 12): output 0, shape [50, 10], first bad element at index 123
// The step is the training step in progress, 1-based (optimizer.iterations() + 1 of the optimizer created,
// restored or updated last), named for ops run under a GradientTape or inside Model::fit (which adds the
// epoch and batch, 1-based as its progress bar) and for updates; never for ops outside training.
// Checking costs a pass over each output (on a GPU, a reduction and a wait for the device); disabled,
// one relaxed load per op.
#include <atomic>

namespace tapeflow::debugging {

void enable_check_numerics();
void disable_check_numerics();

namespace detail {
extern std::atomic<bool> check_numerics_flag;
}

inline bool check_numerics_enabled() { return detail::check_numerics_flag.load(std::memory_order_relaxed); }

}  // namespace tapeflow::debugging
