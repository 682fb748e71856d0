#include "tapeflow/keras/layer.h"

#include <algorithm>
#include <cctype>

#include "engine/check.h"
#include "engine/numerics_check.h"
#include "tapeflow/profiler.h"

namespace tapeflow {

namespace {
// Layers whose call() is running on this thread, innermost last: a layer called while another's
// call() runs becomes its sub-layer.
thread_local std::vector<Layer*> calling_layers;

struct CallingScope {
  explicit CallingScope(Layer* layer) { calling_layers.push_back(layer); }
  ~CallingScope() { calling_layers.pop_back(); }
};
}  // namespace

std::string debugging::detail::calling_layer_path() {
  std::string path;
  for (const Layer* layer : calling_layers) path += (path.empty() ? "" : "/") + layer->name();
  return path;
}

std::string to_snake_case(const std::string& type) {
  std::string out;
  for (size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    const bool upper = std::isupper(static_cast<unsigned char>(c));
    // A new word starts at an upper-case letter after a lower-case one or digit ("MaxPooling2D" ->
    // "max_pooling2d"), or before a lower-case one inside a run of capitals ("LSTMCell" -> "lstm_cell").
    if (upper && i > 0) {
      const char prev = type[i - 1];
      const bool next_lower = i + 1 < type.size() && std::islower(static_cast<unsigned char>(type[i + 1]));
      if (std::islower(static_cast<unsigned char>(prev)) ||
          (std::isupper(static_cast<unsigned char>(prev)) && next_lower))
        out += '_';
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

Layer::Layer(std::string type, std::string name)
    : type_(std::move(type)), name_(name.empty() ? to_snake_case(type_) : std::move(name)) {}

void Layer::prepare_call(const Tensor& inputs) {
  detail::check_defined(name_.c_str(), inputs, "the input");
  if (!calling_layers.empty()) {
    Layer* caller = calling_layers.back();
    if (caller != this && parent_ == nullptr) caller->track(*this);
  }
  if (!built_) {
    const DeviceScope weights_beside_inputs(inputs.device());
    build_on_first_call(inputs.shape());
    built_ = true;
  }
}

void Layer::record_output_shape(const Shape& shape) {
  output_shape_ = shape;
  if (shape.rank() > 0) (*output_shape_)[0] = -1;
}

Tensor Layer::operator()(const Tensor& inputs, bool training) {
  const profiler::Scope trace("layer", name_);
  prepare_call(inputs);
  Tensor out;
  {
    CallingScope scope(this);
    out = call(inputs, training);
  }
  record_output_shape(out.shape());
  return out;
}

void Layer::build(const Shape&) { built_ = true; }

Tensor Layer::call(const Tensor&, bool) {
  throw NotImplemented(fmt::format("{} ({}) has no single-input call()", name_, type_));
}

std::vector<Variable> Layer::variables() const {
  std::vector<Variable> all = weights_;
  for (const Layer* sub : sublayers_)
    for (Variable& v : sub->variables()) all.push_back(std::move(v));
  return all;
}

std::vector<Variable> Layer::trainable_variables() const {
  std::vector<Variable> out;
  for (Variable& v : variables())
    if (v.trainable()) out.push_back(std::move(v));
  return out;
}

std::vector<Variable> Layer::non_trainable_variables() const {
  std::vector<Variable> out;
  for (Variable& v : variables())
    if (!v.trainable()) out.push_back(std::move(v));
  return out;
}

int64_t Layer::count_params() const {
  int64_t n = 0;
  for (const Variable& v : variables()) n += v.num_elements();
  return n;
}

std::string Layer::path() const {
  // As Keras names weights: layer names down the tree ("lstm/lstm_cell"), models contributing none.
  const std::string prefix = parent_ ? parent_->path() : "";
  if (is_model()) return prefix;
  return prefix.empty() ? name_ : prefix + "/" + name_;
}

Variable Layer::add_weight(const std::string& name, const Shape& shape, const initializers::Initializer& initializer,
                           bool trainable) {
  const std::string prefix = path();
  Variable v(initializer(shape).to(default_device()), prefix.empty() ? name : prefix + "/" + name, trainable);
  weights_.push_back(v);
  for (const Layer* layer = this; layer != nullptr; layer = layer->parent_)
    if (layer->deferred_weights_) layer->deferred_weights_->apply(v.name(), v);
  return v;
}

void Layer::restore_weights(std::shared_ptr<DeferredRestore> values) {
  for (Variable& v : variables()) values->apply(v.name(), v);
  deferred_weights_ = std::move(values);
}

void Layer::track(Layer& sublayer) {
  if (std::find(sublayers_.begin(), sublayers_.end(), &sublayer) != sublayers_.end()) return;
  TAPEFLOW_CHECK(!sublayer.built_ || sublayer.parent_ == nullptr || sublayer.parent_ == this,
                 "{}: layer '{}' already belongs to '{}'", name_, sublayer.name_, sublayer.parent_->name_);
  auto taken = [&](const std::string& n) {
    return std::any_of(sublayers_.begin(), sublayers_.end(), [&](const Layer* l) { return l->name_ == n; });
  };
  if (taken(sublayer.name_)) {
    const std::string base = sublayer.name_;
    int suffix = 1;
    while (taken(base + "_" + std::to_string(suffix))) ++suffix;
    sublayer.name_ = base + "_" + std::to_string(suffix);
  }
  sublayer.parent_ = this;
  sublayers_.push_back(&sublayer);
}

void Layer::fail(const std::string& message) const { throw Error(fmt::format("{} ({}): {}", name_, type_, message)); }

}  // namespace tapeflow
