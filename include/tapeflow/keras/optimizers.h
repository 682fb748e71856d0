#pragma once
// Optimizers with Keras names and defaults. apply_gradients updates each variable in place with one
// fused kernel call; undefined gradients (unconnected variables) are skipped, as Keras does.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tapeflow/keras/deferred_restore.h"
#include "tapeflow/tensor.h"
#include "tapeflow/variable.h"

namespace tapeflow::optimizers {

// learning_rate(step) for a schedule; step is the optimizer's iteration count before the update.
using LearningRateSchedule = std::function<double(int64_t step)>;

struct CommonOptions {
  std::optional<double> clipnorm;         // clip each gradient to this L2 norm
  std::optional<double> global_clipnorm;  // clip all gradients together to this global L2 norm (not with clipnorm)
  LearningRateSchedule learning_rate_schedule;  // overrides learning_rate when set
};

class Optimizer {
 public:
  Optimizer(std::string name, double learning_rate, CommonOptions common);
  virtual ~Optimizer() = default;

  void apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars);
  // The notes' zip(grads, model.variables) form: grads[i] updates vars[i].
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars);

  const std::string& name() const { return name_; }
  int64_t iterations() const { return iterations_; }
  void set_iterations(int64_t iterations);  // restoring a checkpoint
  double learning_rate() const;  // at the current iteration
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }
  // Slot variables (Adam's m and v, momentum...) as (name, variable) pairs in creation order, for checkpoints.
  const std::vector<std::pair<std::string, Variable>>& slots() const { return slot_list_; }
  // Restores slots from a checkpoint: those that exist now at once, the others as they are created.
  void restore_slots(std::shared_ptr<DeferredRestore> values);

 protected:
  // One fused in-place update of `var` from `grad` at learning rate `lr` (iterations() is the step
  // count before this update).
  virtual void update(Variable& var, const Tensor& grad, double lr) = 0;
  // The slot `slot` of `var`, created as zeros on first use ("dense/kernel/m"); a shared handle.
  Variable slot(const Variable& var, const std::string& slot);
  // After set_iterations: for state that keeps its own copy of the count.
  virtual void iterations_changed() {}

 private:
  void advance_iterations(int64_t steps);  // and tells check_numerics which step comes next

  std::string name_;
  double learning_rate_;
  CommonOptions common_;
  int64_t iterations_ = 0;
  std::vector<std::pair<std::string, Variable>> slot_list_;
  // (variable id, slot) -> index in slot_list_: slots belong to a variable, not to its name, which
  // need not be unique.
  std::map<std::pair<uint64_t, std::string>, size_t> slot_index_;
  std::shared_ptr<DeferredRestore> deferred_slots_;
};

// Keras SGD: v = momentum v - lr g; w += v (nesterov: w += momentum v - lr g). Slot "momentum" when momentum > 0.
struct SGDOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  CommonOptions common = {};
};
class SGD : public Optimizer {
 public:
  explicit SGD(SGDOptions options = {});

 protected:
  void update(Variable& var, const Tensor& grad, double lr) override;

 private:
  SGDOptions options_;
};

// tf.keras (TF2 optimizer_v2) Adam, slots "m" and "v": lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) at step t = 1, 2...;
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr_t m / (sqrt(v) + epsilon). As Keras documents, this
// epsilon is the paper's "epsilon hat" (Kingma & Ba, just before section 2.1): added as given, not rescaled.
struct AdamOptions {
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  CommonOptions common = {};
};
class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions options = {});

 protected:
  void update(Variable& var, const Tensor& grad, double lr) override;
  void iterations_changed() override;  // writes the count to the device's counters

 private:
  // On CUDA the step counter and step size live on the device (kernels::cuda::adam_advance), so that a
  // captured step (tapeflow::Function) replays with the right step size. `iterations`: the count the
  // device's counter holds, as the host knows it (-1: never set).
  struct DeviceStep {
    Tensor step, lr_t;
    int64_t iterations = -1;
  };
  const float* advance_device_step(int device, double lr);  // the step size of this update, on the device
  void write_device_step(DeviceStep& s);                    // the host's count into the device's counter

  AdamOptions options_;
  std::map<int, DeviceStep> device_steps_;  // by CUDA device index
};

// tf.keras (TF2 optimizer_v2) RMSprop, slots "rms", "mg" (centered), "momentum" (momentum > 0):
// ms = rho ms + (1 - rho) g^2; centered: mg = rho mg + (1 - rho) g, denom = ms - mg^2, else denom = ms;
// w -= lr g / (sqrt(denom) + epsilon), or with momentum mom = momentum mom + lr g / sqrt(denom + epsilon), w -= mom.
struct RMSpropOptions {
  double learning_rate = 0.001;
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
  CommonOptions common = {};
};
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(RMSpropOptions options = {});

 protected:
  void update(Variable& var, const Tensor& grad, double lr) override;

 private:
  RMSpropOptions options_;
};

}  // namespace tapeflow::optimizers
