#pragma once
// Weight initializers, by Keras name or as a function. Draws come from the global generator, so
// random::set_seed(s) makes a model's initial weights reproducible (as tf.random.set_seed does).
#include <functional>
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::initializers {

using InitFn = std::function<Tensor(const Shape& shape)>;

class Initializer {
 public:
  // Keras names: glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform,
  // random_normal, random_uniform, truncated_normal, zeros, ones, orthogonal. Unknown names throw.
  Initializer(const char* name);         // NOLINT(google-explicit-constructor): Keras passes names
  Initializer(const std::string& name);  // NOLINT(google-explicit-constructor)
  Initializer(InitFn fn, std::string name = "custom");  // NOLINT(google-explicit-constructor)

  Tensor operator()(const Shape& shape) const { return fn_(shape); }
  const std::string& name() const { return name_; }

 private:
  InitFn fn_;
  std::string name_;
};

// Fans as Keras computes them: Dense [in, out]; conv kernels [kh, kw, in, out] multiply by kh * kw.
std::pair<double, double> compute_fans(const Shape& shape);

}  // namespace tapeflow::initializers
