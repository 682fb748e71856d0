// The tape: recording ops (record) and walking them back (GradientTape::gradient).
#include "engine/autodiff.h"

#include <unordered_map>

#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"
#include "engine/tensor_internal.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"

namespace tapeflow {

namespace {
// Tapes alive on this thread, outermost first (TF's tapes are thread-local too).
thread_local std::vector<GradientTape*> active_tapes;
thread_local bool recording_paused = false;
}  // namespace

namespace autodiff {

namespace {
bool any_tape_watches(const Tensor& t) {
  if (!t.defined()) return false;
  for (const GradientTape* tape : active_tapes)
    if (tape->recording() && tape->is_watched(t)) return true;
  return false;
}
}  // namespace

bool any_tape_alive() { return !active_tapes.empty(); }

NoRecordScope::NoRecordScope() : previous_(recording_paused) { recording_paused = true; }
NoRecordScope::~NoRecordScope() { recording_paused = previous_; }

bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (active_tapes.empty() || recording_paused) return false;
  for (const Tensor* t : inputs)
    if (any_tape_watches(*t)) return true;
  return false;
}

bool should_record(const std::vector<Tensor>& inputs) {
  if (active_tapes.empty() || recording_paused) return false;
  for (const Tensor& t : inputs)
    if (any_tape_watches(t)) return true;
  return false;
}

void record(OpId op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs, BackwardFn backward) {
  if (recording_paused) return;
  std::shared_ptr<TapeEntry> entry;
  for (GradientTape* tape : active_tapes) {
    if (!tape->recording()) continue;
    bool watched = false;
    for (const Tensor& t : inputs) watched = watched || (t.defined() && tape->is_watched(t));
    if (!watched) continue;
    if (!entry) {
      entry = std::make_shared<TapeEntry>();
      entry->op = op;
      for (const Tensor& t : inputs) {
        entry->input_ids.push_back(t.defined() ? t.id() : 0);
        entry->input_is_trainable_variable.push_back(t.defined() && t.impl()->variable &&
                                                     t.impl()->variable->trainable);
      }
      entry->device = outputs.at(0).device();
      for (const Tensor& t : outputs) {
        entry->output_ids.push_back(t.id());
        entry->output_shapes.push_back(t.shape());
      }
      entry->backward = std::move(backward);
      if (debugging::check_numerics_enabled()) entry->layer = debugging::detail::calling_layer_path();
    }
    for (const Tensor& t : outputs) tape->watch(t);
    tape->add_entry(entry);
  }
}

void require_first_order(OpId op, std::initializer_list<const Tensor*> inputs) {
  if (should_record(inputs))
    throw NotImplemented(fmt::format("second-order gradient through {} (its gradient is not differentiable)",
                                     op_name(op)));
}

}  // namespace autodiff

GradientTape::GradientTape(bool persistent) : persistent_(persistent) { active_tapes.push_back(this); }

GradientTape::~GradientTape() { std::erase(active_tapes, this); }

void GradientTape::watch(const Tensor& t) {
  detail::check_defined("GradientTape::watch", t, "the tensor");
  if (t.dtype() == DType::kFloat32) watched_.insert(t.id());
}

bool GradientTape::is_watched(const Tensor& t) const {
  const auto& variable = t.impl()->variable;
  if (variable && variable->trainable) return true;
  return watched_.count(t.id()) > 0;
}

void GradientTape::add_entry(std::shared_ptr<const autodiff::TapeEntry> entry) { entries_.push_back(std::move(entry)); }

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Tensor>& sources) {
  detail::check_defined("GradientTape::gradient", target, "the target");
  TAPEFLOW_CHECK(persistent_ || !used_,
                 "GradientTape::gradient: a non-persistent GradientTape can only compute one set of gradients; "
                 "construct it with GradientTape(/*persistent=*/true) to call gradient() more than once");
  used_ = true;

  // The walk's own ops are not recorded on this tape (outer tapes still record them: higher order).
  const bool was_recording = recording_;
  recording_ = false;
  struct Restore {
    bool& flag;
    bool value;
    ~Restore() { flag = value; }
  } restore{recording_, was_recording};

  std::unordered_map<uint64_t, Tensor> grads;
  grads.emplace(target.id(), ones_like(target));
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    const autodiff::TapeEntry& entry = **it;
    std::vector<Tensor> output_grads(entry.output_ids.size());
    bool any = false;
    for (size_t i = 0; i < entry.output_ids.size(); ++i) {
      auto g = grads.find(entry.output_ids[i]);
      if (g != grads.end()) output_grads[i] = g->second, any = true;
    }
    if (!any) continue;
    for (size_t i = 0; i < output_grads.size(); ++i)
      if (!output_grads[i].defined()) output_grads[i] = zeros(entry.output_shapes[i], DType::kFloat32, entry.device);

    std::vector<bool> needs_grad(entry.input_ids.size());
    for (size_t i = 0; i < entry.input_ids.size(); ++i)
      needs_grad[i] = entry.input_is_trainable_variable[i] || watched_.count(entry.input_ids[i]) > 0;
    const profiler::Scope trace("backward", op_name(entry.op), entry.device);
    const debugging::detail::GradientScope numerics_context(entry.op, entry.layer);
    const std::vector<Tensor> input_grads = entry.backward(output_grads, needs_grad);
    if (debugging::check_numerics_enabled()) debugging::detail::check_gradients(input_grads);
    for (size_t i = 0; i < input_grads.size() && i < entry.input_ids.size(); ++i) {
      if (!input_grads[i].defined() || !needs_grad[i]) continue;
      auto [slot, inserted] = grads.try_emplace(entry.input_ids[i], input_grads[i]);
      if (!inserted) slot->second = add(slot->second, input_grads[i]);
    }
  }

  std::vector<Tensor> result;
  result.reserve(sources.size());
  for (const Tensor& source : sources) {
    detail::check_defined("GradientTape::gradient", source, "a source");
    auto g = grads.find(source.id());
    result.push_back(g == grads.end() ? Tensor() : g->second);
  }
  if (!persistent_) entries_.clear();
  return result;
}

Tensor stop_gradient(const Tensor& t) { return detail::view(t, t.shape()); }

}  // namespace tapeflow
