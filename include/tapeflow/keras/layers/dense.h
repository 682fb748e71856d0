#pragma once
#include <cstdint>
#include <string>

#include "tapeflow/keras/activations.h"
#include "tapeflow/keras/initializers.h"
#include "tapeflow/keras/layer.h"

namespace tapeflow::layers {

struct DenseOptions {
  int64_t units = 0;
  activations::Activation activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  std::string name;
};

// outputs = activation(inputs @ kernel + bias) over the last dim; kernel [in, units], bias [units].
class Dense : public Layer {
 public:
  explicit Dense(DenseOptions options);
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;

  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }
  const DenseOptions& options() const { return options_; }

 private:
  DenseOptions options_;
  Variable kernel_;
  Variable bias_;
};

}  // namespace tapeflow::layers
