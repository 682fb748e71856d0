#pragma once
// MaxPool2D and AveragePooling2D over NHWC inputs: one base, two Keras class names.
#include <array>
#include <string>

#include "tapeflow/keras/layer.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

struct Pool2DOptions {
  std::array<int, 2> pool_size = {2, 2};
  std::array<int, 2> strides = {0, 0};  // {0, 0} means pool_size, Keras's default (strides=None)
  std::string padding = "valid";
  std::string name;
};

class Pool2D : public Layer {
 public:
  Tensor call(const Tensor& inputs, bool training) override;

 protected:
  Pool2D(std::string type, Pool2DOptions options, bool max);

 private:
  std::array<int, 2> pool_size_;
  std::array<int, 2> strides_;
  nn::Padding padding_;
  bool max_;
};

// Keras's class is MaxPooling2D (MaxPool2D is its alias), hence the default name "max_pooling2d".
class MaxPool2D : public Pool2D {
 public:
  explicit MaxPool2D(Pool2DOptions options = {}) : Pool2D("MaxPooling2D", std::move(options), true) {}
};

// Averages over the window's elements inside the input ("same" padding is not counted), as Keras.
class AveragePooling2D : public Pool2D {
 public:
  explicit AveragePooling2D(Pool2DOptions options = {}) : Pool2D("AveragePooling2D", std::move(options), false) {}
};

}  // namespace tapeflow::layers
