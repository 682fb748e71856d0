// Optimizer::apply_gradients (checks, clipping, schedule, slots) and the SGD, Adam and RMSprop updates,
// each one fused kernel call per variable on the CPU, one launch for all variables on CUDA.
#include "tapeflow/keras/optimizers.h"

#include <cmath>
#include <functional>
#include <map>

#include "engine/autodiff.h"
#include "engine/capture.h"
#include "engine/check.h"
#include "engine/memory/device_memory.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "kernels/optimizer.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"

namespace tapeflow::optimizers {

namespace {

double sum_of_squares(const Tensor& g) {
  switch (g.device().type) {
    case DeviceType::kCPU: return kernels::cpu::sum_of_squares(g.data<float>(), g.num_elements());
    case DeviceType::kCUDA: {
#ifdef TAPEFLOW_WITH_CUDA
      Tensor scratch = Tensor::empty({}, DType::kInt64, g.device());  // 8 bytes for the kernel's double
      return kernels::cuda::sum_of_squares(g.device().index, g.data<float>(), g.num_elements(), scratch.raw_data());
#endif
      detail::throw_no_cuda_kernel("sum_of_squares");
    }
  }
  return 0;
}

// The CUDA updates of one apply_gradients call: update() queues each variable's buffers and
// apply_gradients launches them together, one launcher call per device. Entries come from one
// optimizer at one step, so they share the launcher (hyperparameters and all).
class CudaUpdateQueue {
 public:
  using Launch = std::function<void(int device, const std::vector<kernels::cuda::ParamSlots>&)>;

  void add(int device, const kernels::cuda::ParamSlots& p, const Tensor& grad, Launch launch) {
    params_[device].push_back(p);
    grads_.push_back(grad);  // g must outlive the launch
    launch_ = std::move(launch);
  }
  void flush() {
    for (const auto& [device, params] : params_) launch_(device, params);
    params_.clear();
    grads_.clear();
  }

 private:
  std::map<int, std::vector<kernels::cuda::ParamSlots>> params_;  // by device
  std::vector<Tensor> grads_;
  Launch launch_;
};

// The queue of the apply_gradients running on this thread, if any.
thread_local CudaUpdateQueue* active_queue = nullptr;

// Queues the update when apply_gradients collects them, launches it at once otherwise.
[[maybe_unused]] void enqueue_cuda_update(Variable& var, const Tensor& grad,
                                          std::initializer_list<Variable*> slots, CudaUpdateQueue::Launch launch) {
  kernels::cuda::ParamSlots p;
  p.w = var.data<float>();
  p.g = grad.data<float>();
  p.n = var.num_elements();
  int i = 0;
  for (Variable* slot : slots) p.slot[i++] = slot->defined() ? slot->data<float>() : nullptr;
  if (active_queue != nullptr) return active_queue->add(var.device().index, p, grad, std::move(launch));
  launch(var.device().index, {p});
}

// While alive, CUDA updates on this thread are queued; flush() launches them.
class CollectCudaUpdates {
 public:
  CollectCudaUpdates() : previous_(active_queue) { active_queue = &queue_; }
  ~CollectCudaUpdates() { active_queue = previous_; }
  CollectCudaUpdates(const CollectCudaUpdates&) = delete;
  CollectCudaUpdates& operator=(const CollectCudaUpdates&) = delete;
  void flush() { queue_.flush(); }

 private:
  CudaUpdateQueue queue_;
  CudaUpdateQueue* previous_;
};

// tf.clip_by_norm / clip_by_global_norm: g scaled by clip / norm when the norm exceeds clip.
Tensor clipped(const Tensor& g, double norm, double clip) {
  return norm > clip ? g * static_cast<float>(clip / norm) : g;
}

float* data_or_null(Variable& v) { return v.defined() ? v.data<float>() : nullptr; }

}  // namespace

Optimizer::Optimizer(std::string name, double learning_rate, CommonOptions common)
    : name_(std::move(name)), learning_rate_(learning_rate), common_(std::move(common)) {
  TAPEFLOW_CHECK(learning_rate_ >= 0, "{}: learning_rate must be >= 0, found {}", name_, learning_rate_);
  TAPEFLOW_CHECK(!(common_.clipnorm && common_.global_clipnorm),
                 "{}: set clipnorm or global_clipnorm, not both (as Keras)", name_);
  TAPEFLOW_CHECK(!common_.clipnorm || *common_.clipnorm > 0, "{}: clipnorm must be > 0, found {}", name_,
                 common_.clipnorm.value_or(0));
  TAPEFLOW_CHECK(!common_.global_clipnorm || *common_.global_clipnorm > 0, "{}: global_clipnorm must be > 0, found {}",
                 name_, common_.global_clipnorm.value_or(0));
  debugging::detail::note_step(iterations_ + 1);  // a new training loop starts counting
}

void Optimizer::set_iterations(int64_t iterations) {
  capture::forbid("Optimizer::set_iterations");
  iterations_ = iterations;
  debugging::detail::note_step(iterations_ + 1);
  iterations_changed();
}

double Optimizer::learning_rate() const {
  return common_.learning_rate_schedule ? common_.learning_rate_schedule(iterations_) : learning_rate_;
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Variable>& vars) {
  TAPEFLOW_CHECK(grads.size() == vars.size(), "{}: apply_gradients got {} gradients for {} variables", name_,
                 grads.size(), vars.size());
  std::vector<std::pair<Tensor, Variable>> pairs;
  pairs.reserve(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) pairs.emplace_back(grads[i], vars[i]);
  apply_gradients(pairs);
}

void Optimizer::apply_gradients(const std::vector<std::pair<Tensor, Variable>>& grads_and_vars) {
  autodiff::NoRecordScope no_record;  // updates and clipping are never part of a gradient
  const profiler::Scope trace("optimizer", name_);
  std::vector<std::pair<Tensor, Variable>> live;
  for (const auto& [g, v] : grads_and_vars) {
    if (!g.defined()) continue;  // an unconnected variable: Keras skips None gradients
    TAPEFLOW_CHECK(v.defined(), "{}: apply_gradients got a gradient for an undefined variable", name_);
    TAPEFLOW_CHECK(g.shape() == v.shape(), "{}: the gradient for '{}' has shape {}, the variable has shape {}", name_,
                   v.name(), g.shape(), v.shape());
    TAPEFLOW_CHECK(g.dtype() == DType::kFloat32 && v.dtype() == DType::kFloat32,
                   "{}: '{}' and its gradient must be float32, found {} and {}", name_, v.name(),
                   dtype_name(v.dtype()), dtype_name(g.dtype()));
    TAPEFLOW_CHECK(g.device() == v.device(), "{}: the gradient for '{}' is on {}, the variable on {}", name_,
                   v.name(), g.device().to_string(), v.device().to_string());
    live.emplace_back(g, v);
  }
  if (live.empty() && !grads_and_vars.empty()) {
    std::string names;
    for (const auto& [g, v] : grads_and_vars) names += (names.empty() ? "" : ", ") + (v.defined() ? v.name() : "?");
    throw Error(fmt::format("{}: no gradients provided for any variable: {}", name_, names));
  }
  if (common_.learning_rate_schedule) capture::forbid("a learning-rate schedule (its rate would stay the captured step's)");
  if (common_.clipnorm || common_.global_clipnorm) capture::forbid("clipnorm and global_clipnorm (they read norms back)");
  if (common_.clipnorm) {
    for (auto& [g, v] : live) g = clipped(g, std::sqrt(sum_of_squares(g)), *common_.clipnorm);
  }
  if (common_.global_clipnorm) {
    double total = 0;
    for (const auto& [g, v] : live) total += sum_of_squares(g);
    for (auto& [g, v] : live) g = clipped(g, std::sqrt(total), *common_.global_clipnorm);
  }
  const double lr = learning_rate();
  capture::replay_while([this, lr] { return learning_rate() == lr; });  // the kernels hold lr as a constant
  CollectCudaUpdates collect;
  for (auto& [g, v] : live) update(v, g, lr);
  collect.flush();
  if (debugging::check_numerics_enabled())
    for (const auto& [g, v] : live) debugging::detail::check_updated_variable(name_, v.name(), v);
  advance_iterations(1);
  capture::on_replay([this] { advance_iterations(1); });
  capture::on_abort([this] { advance_iterations(-1); });
}

void Optimizer::advance_iterations(int64_t steps) {
  iterations_ += steps;
  debugging::detail::note_step(iterations_ + 1);  // the next step's forward pass runs before its update
}

Variable Optimizer::slot(const Variable& var, const std::string& slot) {
  const auto key = std::pair{var.id(), slot};
  if (auto it = slot_index_.find(key); it != slot_index_.end()) return slot_list_[it->second].second;
  const std::string name = var.name() + "/" + slot;
  Variable created(zeros(var.shape(), DType::kFloat32, var.device()), name, false);  // may throw: index it after
  slot_index_.emplace(key, slot_list_.size());
  slot_list_.emplace_back(name, std::move(created));
  if (deferred_slots_) deferred_slots_->apply(name, slot_list_.back().second);
  return slot_list_.back().second;
}

void Optimizer::restore_slots(std::shared_ptr<DeferredRestore> values) {
  for (auto& [name, variable] : slot_list_) values->apply(name, variable);
  deferred_slots_ = std::move(values);
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
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      return enqueue_cuda_update(var, grad, {&velocity},
                                 [lr = static_cast<float>(lr), momentum = static_cast<float>(options_.momentum),
                                  nesterov = options_.nesterov](int device, const auto& params) {
                                   kernels::cuda::sgd_update(device, params.data(), static_cast<int>(params.size()), lr,
                                                             momentum, nesterov);
                                 });
#endif
      detail::throw_no_cuda_kernel("sgd_update");
  }
}

Adam::Adam(AdamOptions options) : Optimizer("Adam", options.learning_rate, options.common), options_(options) {
  TAPEFLOW_CHECK(options_.beta_1 >= 0 && options_.beta_1 < 1 && options_.beta_2 >= 0 && options_.beta_2 < 1,
                 "Adam: beta_1 and beta_2 must be in [0, 1), found {} and {}", options_.beta_1, options_.beta_2);
}

void Adam::update(Variable& var, const Tensor& grad, double lr) {
  Variable m = slot(var, "m");
  Variable v = slot(var, "v");
  switch (var.device().type) {
    case DeviceType::kCPU: {
      const double lr_t = kernels::adam_step_size(lr, options_.beta_1, options_.beta_2, double(iterations() + 1));
      kernels::cpu::adam_update(var.data<float>(), m.data<float>(), v.data<float>(), grad.data<float>(),
                                var.num_elements(), static_cast<float>(lr_t), static_cast<float>(options_.beta_1),
                                static_cast<float>(options_.beta_2), static_cast<float>(options_.epsilon));
      break;
    }
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      return enqueue_cuda_update(
          var, grad, {&m, &v},
          [this, lr, b1 = static_cast<float>(options_.beta_1), b2 = static_cast<float>(options_.beta_2),
           eps = static_cast<float>(options_.epsilon)](int device, const auto& params) {
            const float* lr_t = advance_device_step(device, lr);
            kernels::cuda::adam_update(device, params.data(), static_cast<int>(params.size()), lr_t, b1, b2, eps);
          });
#endif
      detail::throw_no_cuda_kernel("adam_update");
  }
}

void Adam::iterations_changed() {
  // At once, not at the next update: a captured step's replays never reach advance_device_step.
  for (auto& [device, s] : device_steps_) write_device_step(s);
}

void Adam::write_device_step(DeviceStep& s) {
  const int64_t host = iterations();
  memory::copy(s.step.device(), s.step.raw_data(), Device::cpu(), &host, sizeof host);
  s.iterations = host;
}

const float* Adam::advance_device_step(int device, double lr) {
  DeviceStep& s = device_steps_[device];
  if (!s.step.defined()) {
    s.step = Tensor::empty({}, DType::kInt64, Device::cuda(device));
    s.lr_t = Tensor::empty({}, DType::kFloat32, Device::cuda(device));
  }
  if (s.iterations != iterations()) {  // first use (or after a failed capture): the device's counter follows
    capture::forbid("Adam's first update on a device");
    write_device_step(s);
  }
#ifdef TAPEFLOW_WITH_CUDA
  kernels::cuda::adam_advance(device, s.step.data<int64_t>(), s.lr_t.data<float>(), lr, options_.beta_1,
                              options_.beta_2);
#else
  (void)lr;
  detail::throw_no_cuda_kernel("adam_advance");
#endif
  ++s.iterations;
  capture::on_replay([&s] { ++s.iterations; });  // std::map nodes stay put
  capture::on_abort([&s] { s.iterations = -1; });  // set again from the host's count before its next use
  return s.lr_t.data<float>();
}

RMSprop::RMSprop(RMSpropOptions options)
    : Optimizer("RMSprop", options.learning_rate, options.common), options_(options) {
  TAPEFLOW_CHECK(options_.rho >= 0 && options_.rho < 1, "RMSprop: rho must be in [0, 1), found {}", options_.rho);
  TAPEFLOW_CHECK(options_.momentum >= 0, "RMSprop: momentum must be >= 0, found {}", options_.momentum);
}

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
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      return enqueue_cuda_update(
          var, grad, {&ms, &mg, &mom},
          [lr = static_cast<float>(lr), rho = static_cast<float>(options_.rho),
           momentum = static_cast<float>(options_.momentum),
           eps = static_cast<float>(options_.epsilon)](int device, const auto& params) {
            kernels::cuda::rmsprop_update(device, params.data(), static_cast<int>(params.size()), lr, rho, momentum,
                                          eps);
          });
#endif
      detail::throw_no_cuda_kernel("rmsprop_update");
  }
}

}  // namespace tapeflow::optimizers
