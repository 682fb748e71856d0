// Optimizer::apply_gradients (clipping, schedule, slots) and the SGD, Adam and RMSprop updates, each
// one fused kernel call per variable.
#include "tapeflow/keras/optimizers.h"

#include <cmath>

#include "engine/autodiff.h"
#include "engine/check.h"
#include "kernels/optimizer.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"

namespace tapeflow::optimizers {

namespace {

double l2_norm(const Tensor& g) {
  switch (g.device().type) {
    case DeviceType::kCPU: return std::sqrt(kernels::cpu::sum_of_squares(g.data<float>(), g.num_elements()));
    case DeviceType::kCUDA: detail::throw_no_cuda_kernel("clipnorm");
  }
  return 0;
}

float* data_or_null(Variable& v) { return v.defined() ? v.data<float>() : nullptr; }

}  // namespace

Optimizer::Optimizer(std::string name, double learning_rate, CommonOptions common)
    : name_(std::move(name)), learning_rate_(learning_rate), common_(std::move(common)) {
  TAPEFLOW_CHECK(learning_rate_ >= 0, "{}: learning_rate must be >= 0, found {}", name_, learning_rate_);
}

double Optimizer::learning_rate() const {
  return common_.learning_rate_schedule ? common_.learning_rate_schedule(iterations_) : learning_rate_;
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  TAPEFLOW_CHECK(grads.size() == vars.size(), "{}: apply_gradients got {} gradients for {} variables", name_,
                 grads.size(), vars.size());
  std::vector<std::pair<Tensor, Variable>> pairs;
  for (size_t i = 0; i < grads.size(); ++i) pairs.emplace_back(grads[i], vars[i]);
  apply_gradients(pairs);
}

void Optimizer::apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars) {
  autodiff::NoRecordScope no_record;
  std::vector<std::pair<Tensor, Variable>> live;
  for (const auto& [g, v] : grads_and_vars) {
    if (!g.defined()) continue;  // unconnected variable, as Keras skips None gradients
    TAPEFLOW_CHECK(v.defined(), "{}: apply_gradients got a gradient for an undefined variable", name_);
    TAPEFLOW_CHECK(g.shape() == v.shape() && g.dtype() == DType::kFloat32,
                   "{}: the gradient for '{}' is {} {}, the variable is {} {}", name_, v.name(), dtype_name(g.dtype()),
                   g.shape(), dtype_name(v.dtype()), v.shape());
    live.emplace_back(g, v);
  }
  if (common_.clipnorm) {
    for (auto& [g, v] : live) {
      const double norm = l2_norm(g);
      if (norm > *common_.clipnorm) g = g * static_cast<float>(*common_.clipnorm / norm);
    }
  }
  if (common_.global_clipnorm) {
    double total = 0;
    for (const auto& [g, v] : live) total += std::pow(l2_norm(g), 2);
    const double norm = std::sqrt(total);
    if (norm > *common_.global_clipnorm)
      for (auto& [g, v] : live) g = g * static_cast<float>(*common_.global_clipnorm / norm);
  }
  const double lr = learning_rate();
  for (auto& [g, v] : live) update(v, g, lr);
  ++iterations_;
}

Variable Optimizer::slot(const Variable& var, const std::string& slot) {
  const std::string name = var.name() + "/" + slot;
  for (auto& [n, v] : slot_list_)
    if (n == name && v.shape() == var.shape()) return v;
  slot_list_.emplace_back(name, Variable(zeros(var.shape(), DType::kFloat32, var.device()), name, false));
  return slot_list_.back().second;
}

SGD::SGD(SGDOptions options) : Optimizer("SGD", options.learning_rate, options.common), options_(options) {
  TAPEFLOW_CHECK(options_.momentum >= 0 && options_.momentum <= 1, "SGD: momentum must be in [0, 1], found {}",
                 options_.momentum);
}

void SGD::update(Variable& var, const Tensor& grad, double lr) {
  Variable velocity = options_.momentum > 0 ? slot(var, "momentum") : Variable();
  switch (var.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::sgd_update(var.data<float>(), data_or_null(velocity), grad.data<float>(), var.num_elements(),
                               static_cast<float>(lr), static_cast<float>(options_.momentum), options_.nesterov);
      break;
    case DeviceType::kCUDA: detail::throw_no_cuda_kernel("sgd_update");
  }
}

Adam::Adam(AdamOptions options) : Optimizer("Adam", options.learning_rate, options.common), options_(options) {}

void Adam::update(Variable& var, const Tensor& grad, double lr) {
  Variable m = slot(var, "m");
  Variable v = slot(var, "v");
  const double t = static_cast<double>(iterations() + 1);
  const double lr_t = lr * std::sqrt(1 - std::pow(options_.beta_2, t)) / (1 - std::pow(options_.beta_1, t));
  switch (var.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::adam_update(var.data<float>(), m.data<float>(), v.data<float>(), grad.data<float>(),
                                var.num_elements(), static_cast<float>(lr_t), static_cast<float>(options_.beta_1),
                                static_cast<float>(options_.beta_2), static_cast<float>(options_.epsilon));
      break;
    case DeviceType::kCUDA: detail::throw_no_cuda_kernel("adam_update");
  }
}

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer("RMSprop", options.learning_rate, options.common), options_(options) {}

void RMSprop::update(Variable& var, const Tensor& grad, double lr) {
  Variable ms = slot(var, "rms");
  Variable mg = options_.centered ? slot(var, "mg") : Variable();
  Variable mom = options_.momentum > 0 ? slot(var, "momentum") : Variable();
  switch (var.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::rmsprop_update(var.data<float>(), ms.data<float>(), data_or_null(mg), data_or_null(mom),
                                   grad.data<float>(), var.num_elements(), static_cast<float>(lr),
                                   static_cast<float>(options_.rho), static_cast<float>(options_.momentum),
                                   static_cast<float>(options_.epsilon));
      break;
    case DeviceType::kCUDA: detail::throw_no_cuda_kernel("rmsprop_update");
  }
}

}  // namespace tapeflow::optimizers
