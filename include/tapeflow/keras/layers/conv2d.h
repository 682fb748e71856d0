#pragma once
#include <array>
#include <string>

#include "tapeflow/keras/activations.h"
#include "tapeflow/keras/initializers.h"
#include "tapeflow/keras/layer.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

struct Conv2DOptions {
  int64_t filters = 0;
  std::array<int, 2> kernel_size = {3, 3};
  std::array<int, 2> strides = {1, 1};
  std::string padding = "valid";
  std::array<int, 2> dilation_rate = {1, 1};
  activations::Activation activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  std::string name;
};

// NHWC convolution: inputs [batch, h, w, channels], kernel [kh, kw, channels, filters], bias [filters].
class Conv2D : public Layer {
 public:
  explicit Conv2D(Conv2DOptions options);
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;

  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  Conv2DOptions options_;
  nn::Padding padding_;
  Variable kernel_;
  Variable bias_;
};

}  // namespace tapeflow::layers
