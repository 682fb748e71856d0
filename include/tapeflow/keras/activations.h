#pragma once
// Activations by Keras name ("relu", "sigmoid", "tanh", "softmax", "linear") or as a function.
#include <functional>
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::activations {

using ActivationFn = std::function<Tensor(const Tensor&)>;

class Activation {
 public:
  Activation() : Activation("linear") {}
  Activation(const char* name);         // NOLINT(google-explicit-constructor)
  Activation(const std::string& name);  // NOLINT(google-explicit-constructor)
  Activation(ActivationFn fn, std::string name = "custom");  // NOLINT(google-explicit-constructor)
  Activation(Tensor (*fn)(const Tensor&));  // NOLINT(google-explicit-constructor): tf::nn::relu

  Tensor operator()(const Tensor& x) const { return fn_ ? fn_(x) : x; }
  const std::string& name() const { return name_; }
  bool is_linear() const { return !fn_; }
  // Whether this is exactly `fn`, given by name or as the function (a layer may fuse it into its op).
  bool is(Tensor (*fn)(const Tensor&)) const;

 private:
  ActivationFn fn_;  // empty for linear
  std::string name_;
};

}  // namespace tapeflow::activations
