#pragma once
#include <array>
#include <string>

#include "tapeflow/keras/layer.h"

namespace tapeflow::layers {

struct Pool2DOptions {
  std::array<int, 2> pool_size = {2, 2};
  std::array<int, 2> strides = {0, 0};  // {0, 0} means pool_size, Keras's default
  std::string padding = "valid";
  std::string name;
};

// Max or average pooling over NHWC inputs.
class Pool2D : public Layer {
 public:
  Tensor call(const Tensor& inputs, bool training) override;

 protected:
  Pool2D(std::string type, Pool2DOptions options, bool max);

 private:
  Pool2DOptions options_;
  bool max_;
};

// Keras's class is MaxPooling2D (MaxPool2D is its alias), hence the default name "max_pooling2d".
class MaxPool2D : public Pool2D {
 public:
  explicit MaxPool2D(Pool2DOptions options = {}) : Pool2D("MaxPooling2D", std::move(options), true) {}
};

class AveragePooling2D : public Pool2D {
 public:
  explicit AveragePooling2D(Pool2DOptions options = {}) : Pool2D("AveragePooling2D", std::move(options), false) {}
};

}  // namespace tapeflow::layers
