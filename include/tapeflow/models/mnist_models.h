#pragma once
// The notes' MNIST models, written the way the notes write them: a Model subclass with its layers as
// members and a call() that chains them, ending in softmax.
#include "tapeflow/keras.h"

namespace tapeflow::models {

// Flatten -> Dense(100, relu) -> Dense(10) -> softmax.
class MLP : public Model {
 public:
  MLP();
  Tensor call(const Tensor& inputs, bool training) override;

 private:
  layers::Flatten flatten_;
  layers::Dense dense1_;
  layers::Dense dense2_;
};

// Conv2D(32, 5x5, same, relu) -> MaxPool2D(2, 2) -> Conv2D(64, 5x5, same, relu) -> MaxPool2D(2, 2)
// -> Reshape(7*7*64) -> Dense(1024, relu) -> Dense(10) -> softmax.
class CNN : public Model {
 public:
  CNN();
  Tensor call(const Tensor& inputs, bool training) override;

 private:
  layers::Conv2D conv1_;
  layers::MaxPool2D pool1_;
  layers::Conv2D conv2_;
  layers::MaxPool2D pool2_;
  layers::Reshape flatten_;
  layers::Dense dense1_;
  layers::Dense dense2_;
};

}  // namespace tapeflow::models
