#pragma once
// Optimizers with Keras names and defaults. apply_gradients updates each variable in place with one
// fused kernel call; undefined gradients (unconnected variables) are skipped, as Keras does.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tapeflow/tensor.h"
#include "tapeflow/variable.h"

namespace tapeflow::optimizers {

// learning_rate(step) for a schedule; step is the optimizer's iteration count before the update.
using LearningRateSchedule = std::function<double(int64_t step)>;

struct CommonOptions {
  std::optional<double> clipnorm;         // clip each gradient to this L2 norm
  std::optional<double> global_clipnorm;  // clip all gradients together to this global L2 norm
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
  void set_iterations(int64_t iterations) { iterations_ = iterations; }  // restoring a checkpoint
  double learning_rate() const;  // at the current iteration
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }
  // Slot variables (Adam's m and v, momentum...) as (name, variable) pairs, for checkpoints.
  const std::vector<std::pair<std::string, Variable>>& slots() const { return slot_list_; }

 protected:
  // One fused in-place update of `var` from `grad` at learning rate `lr` (iterations() is the step
  // count before this update).
  virtual void update(Variable& var, const Tensor& grad, double lr) = 0;
  // The slot `slot` of `var`, created as zeros on first use ("dense/kernel/m"); a shared handle.
  Variable slot(const Variable& var, const std::string& slot);

 private:
  std::string name_;
  double learning_rate_;
  CommonOptions common_;
  int64_t iterations_ = 0;
  std::vector<std::pair<std::string, Variable>> slot_list_;
};

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

 private:
  AdamOptions options_;
};

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
