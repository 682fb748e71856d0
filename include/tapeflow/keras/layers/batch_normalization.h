#pragma once
#include <string>

#include "tapeflow/keras/layer.h"

namespace tapeflow::layers {

struct BatchNormalizationOptions {
  int axis = -1;
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  std::string name;
};

// Normalises over every axis but `axis`. Training: batch statistics, and the moving mean/variance
// (non-trainable) move toward them by 1 - momentum. Inference: the moving statistics.
class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;

  const Variable& moving_mean() const { return moving_mean_; }
  const Variable& moving_variance() const { return moving_variance_; }

 private:
  BatchNormalizationOptions options_;
  int axis_ = 0;
  Variable gamma_, beta_, moving_mean_, moving_variance_;
};

}  // namespace tapeflow::layers
