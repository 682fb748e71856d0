#pragma once
// tapeflow::Layer, as keras.layers.Layer: creates its weights on first call (or build(input_shape)),
// owns them as Variables named "<layer>/<weight>", and may contain sub-layers. A layer called inside a
// Model's call() is tracked by that model automatically (in call order), so user models need no
// registration lists.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tapeflow/keras/deferred_restore.h"
#include "tapeflow/keras/initializers.h"
#include "tapeflow/tensor.h"
#include "tapeflow/variable.h"

namespace tapeflow {

class Layer {
 public:
  // `type` is the Keras class name ("Dense"); the default name is its snake_case ("dense").
  explicit Layer(std::string type, std::string name = "");
  virtual ~Layer() = default;
  // Layers move (into a Sequential, say) but do not copy: a copy would share or split its weights.
  Layer(Layer&&) = default;
  Layer& operator=(Layer&&) = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // Builds on first use, tracks the layer in the enclosing model, runs call(), and remembers the
  // output shape for summary().
  Tensor operator()(const Tensor& inputs, bool training = false);

  // Creates the weights for inputs of `input_shape` (dim 0 is the batch; -1 means unknown).
  virtual void build(const Shape& input_shape);
  virtual Tensor call(const Tensor& inputs, bool training);

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  bool built() const { return built_; }
  // The last output shape with the batch dim as -1 (printed as None); empty before the first call.
  const std::optional<Shape>& output_shape() const { return output_shape_; }

  // This layer's weights then its sub-layers', in creation order.
  std::vector<Variable> variables() const;
  std::vector<Variable> trainable_variables() const;
  std::vector<Variable> non_trainable_variables() const;
  int64_t count_params() const;
  const std::vector<Layer*>& sublayers() const { return sublayers_; }

  // The prefix of this layer's weight names: its name under its parents' ("lstm/lstm_cell"); models
  // add no name of their own.
  std::string path() const;
  virtual bool is_model() const { return false; }

  // Restores weights from a checkpoint: those that exist now at once, the others as they are built
  // (values keyed by variable name, "dense/kernel").
  void restore_weights(std::shared_ptr<DeferredRestore> values);

 protected:
  Variable add_weight(const std::string& name, const Shape& shape, const initializers::Initializer& initializer,
                      bool trainable = true);
  // What every call does around computing: join the calling layer (if any) as its sub-layer and build on
  // first use; afterwards remember the output shape for summary(). Layers with their own call signature
  // (LSTMCell) call both themselves.
  void prepare_call(const Tensor& inputs);
  void record_output_shape(const Shape& shape);
  // Registers a sub-layer (renamed "dense_1" etc. if a sibling has its name). Layers called inside
  // call() are tracked automatically; Sequential tracks the layers it is given.
  void track(Layer& sublayer);
  void mark_built() { built_ = true; }
  // What the first call does before call(): build(input_shape). Models override it to do nothing,
  // since their layers build themselves as call() runs.
  virtual void build_on_first_call(const Shape& input_shape) { build(input_shape); }
  // Throws "<name> (<Type>): expected ..., found ..." errors that name the layer.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  friend class Model;
  std::string type_;
  std::string name_;
  bool built_ = false;
  std::optional<Shape> output_shape_;
  std::vector<Variable> weights_;
  std::vector<Layer*> sublayers_;  // not owned: members of this layer or held by a Sequential
  Layer* parent_ = nullptr;
  std::shared_ptr<DeferredRestore> deferred_weights_;
};

// "Dense" -> "dense", "MaxPooling2D" -> "max_pooling2d", as Keras derives default names.
std::string to_snake_case(const std::string& type);

}  // namespace tapeflow
