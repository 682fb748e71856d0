// debugging::enable_check_numerics: the check of one output, and the context its message names.
#include <cmath>
#include <optional>

#include "engine/autodiff.h"
#include "engine/capture.h"
#include "engine/check.h"
#include "engine/numerics_check.h"
#include "kernels/numerics.h"

namespace tapeflow::debugging {

namespace detail {
std::atomic<bool> check_numerics_flag{false};
}

void enable_check_numerics() { detail::check_numerics_flag.store(true, std::memory_order_relaxed); }
void disable_check_numerics() { detail::check_numerics_flag.store(false, std::memory_order_relaxed); }

namespace detail {

namespace {

thread_local const GradientScope* current_gradient = nullptr;

// The step in progress (0: none announced yet) and, inside Model::fit, its epoch and batch (0: not in fit).
std::atomic<int64_t> step{0};
std::atomic<int> fit_epoch{0};
std::atomic<int64_t> fit_batch{0};

struct BadElement {
  int64_t index;
  float value;
};

std::optional<BadElement> first_bad_element(const Tensor& t) {
  capture::forbid("check_numerics (it reads each result back)");
  if (!t.defined() || t.dtype() != DType::kFloat32 || t.num_elements() == 0) return std::nullopt;
  int64_t index = -1;
  switch (t.device().type) {
    case DeviceType::kCPU: index = kernels::cpu::first_non_finite(t.data<float>(), t.num_elements()); break;
    case DeviceType::kCUDA: {
#ifdef TAPEFLOW_WITH_CUDA
      Tensor scratch = Tensor::empty({}, DType::kInt64, t.device());
      index = kernels::cuda::first_non_finite(t.device().index, t.data<float>(), t.num_elements(), scratch.raw_data());
      break;
#endif
      tapeflow::detail::throw_no_cuda_kernel("check_numerics");
    }
  }
  if (index < 0) return std::nullopt;
  const Tensor on_cpu = t.device().is_cpu() ? t : t.to(Device::cpu());
  return BadElement{index, on_cpu.data<float>()[index]};
}

std::string_view kind_of(float value) {
  if (std::isnan(value)) return "NaN";
  return value > 0 ? "Inf" : "-Inf";
}

// " in layer 'sequential/dense_1'" or nothing outside layers.
std::string in_layer(const std::string& path) { return path.empty() ? "" : fmt::format(" in layer '{}'", path); }

// " at step 37 (epoch 1, batch 12)" in fit, " at step 37" in a tape loop; nothing outside training
// (sampling, evaluation) or before any optimizer exists.
std::string at_step(bool training) {
  const int64_t s = step.load(std::memory_order_relaxed);
  if (!training || s <= 0) return "";
  const int epoch = fit_epoch.load(std::memory_order_relaxed);
  if (epoch <= 0) return fmt::format(" at step {}", s);
  return fmt::format(" at step {} (epoch {}, batch {})", s, epoch, fit_batch.load(std::memory_order_relaxed));
}

// The op being run, as the message names it: the gradient being computed, if any, else the op itself.
std::string op_and_layer(OpId op) {
  if (current_gradient)
    return fmt::format("op '{}' (backward){}", op_name(current_gradient->op()), in_layer(current_gradient->layer()));
  return fmt::format("op '{}'{}", op_name(op), in_layer(calling_layer_path()));
}

bool training() { return fit_epoch.load(std::memory_order_relaxed) > 0 || autodiff::any_tape_alive(); }

[[noreturn]] void report(const std::string& subject, const BadElement& bad, bool in_training, const std::string& what,
                         const Shape& shape) {
  throw Error(fmt::format("check_numerics: {} produced {}{}: {}, shape {}, first bad element at index {}", subject,
                          kind_of(bad.value), at_step(in_training), what, shape, bad.index));
}

}  // namespace

void check_op_output(OpId op, const Tensor& out, int index) {
  if (const auto bad = first_bad_element(out))
    report(op_and_layer(op), *bad, training(), fmt::format("output {}", index), out.shape());
}

GradientScope::GradientScope(OpId op, const std::string& layer) : op_(op), layer_(layer), enclosing_(current_gradient) {
  current_gradient = this;
}

GradientScope::~GradientScope() { current_gradient = enclosing_; }

void check_gradients(const std::vector<Tensor>& input_grads) {
  for (size_t i = 0; i < input_grads.size(); ++i)
    if (const auto bad = first_bad_element(input_grads[i]))
      report(op_and_layer(current_gradient->op()), *bad, true, fmt::format("output {}", i), input_grads[i].shape());
}

void check_updated_variable(std::string_view optimizer, std::string_view variable_name, const Tensor& variable) {
  if (const auto bad = first_bad_element(variable))
    report(fmt::format("optimizer '{}' (update)", optimizer), *bad, true, fmt::format("variable '{}'", variable_name),
           variable.shape());
}

void note_step(int64_t s) { step.store(s, std::memory_order_relaxed); }

FitPosition::FitPosition(int64_t s, int epoch, int64_t batch) {
  note_step(s);
  fit_epoch.store(epoch, std::memory_order_relaxed);
  fit_batch.store(batch, std::memory_order_relaxed);
}

FitPosition::~FitPosition() { fit_epoch.store(0, std::memory_order_relaxed); }

}  // namespace detail
}  // namespace tapeflow::debugging
