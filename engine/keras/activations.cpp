#include "tapeflow/keras/activations.h"

#include "engine/check.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::activations {

namespace {
ActivationFn lookup(const std::string& name) {
  if (name == "linear" || name.empty()) return nullptr;
  if (name == "relu") return nn::relu;
  if (name == "sigmoid") return nn::sigmoid;
  if (name == "tanh") return nn::tanh;
  if (name == "softmax") return [](const Tensor& x) { return nn::softmax(x, -1); };
  throw Error(fmt::format("unknown activation '{}' (expected one of: relu, sigmoid, tanh, softmax, linear)", name));
}
}  // namespace

Activation::Activation(const char* name) : Activation(std::string(name)) {}
Activation::Activation(const std::string& name) : fn_(lookup(name)), name_(name.empty() ? "linear" : name) {}
Activation::Activation(ActivationFn fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}
Activation::Activation(Tensor (*fn)(const Tensor&)) : fn_(fn), name_("custom") {}

bool Activation::is(Tensor (*fn)(const Tensor&)) const {
  const auto* target = fn_.target<Tensor (*)(const Tensor&)>();
  return target != nullptr && *target == fn;
}

}  // namespace tapeflow::activations
