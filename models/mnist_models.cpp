#include "tapeflow/models/mnist_models.h"

#include "tapeflow/ops/nn.h"

namespace tapeflow::models {

MLP::MLP()
    : Model("mlp"),
      dense1_({.units = 100, .activation = "relu"}),
      dense2_({.units = 10}) {}

Tensor MLP::call(const Tensor& inputs, bool) {
  Tensor x = flatten_(inputs);  // [batch, 784]
  x = dense1_(x);               // [batch, 100]
  x = dense2_(x);               // [batch, 10]
  return nn::softmax(x);
}

CNN::CNN()
    : Model("cnn"),
      conv1_({.filters = 32, .kernel_size = {5, 5}, .padding = "same", .activation = "relu"}),
      pool1_({.pool_size = {2, 2}, .strides = {2, 2}}),
      conv2_({.filters = 64, .kernel_size = {5, 5}, .padding = "same", .activation = "relu"}),
      pool2_({.pool_size = {2, 2}, .strides = {2, 2}}),
      flatten_({.target_shape = {7 * 7 * 64}}),
      dense1_({.units = 1024, .activation = "relu"}),
      dense2_({.units = 10}) {}

Tensor CNN::call(const Tensor& inputs, bool) {
  Tensor x = conv1_(inputs);  // [batch, 28, 28, 32]
  x = pool1_(x);              // [batch, 14, 14, 32]
  x = conv2_(x);              // [batch, 14, 14, 64]
  x = pool2_(x);              // [batch, 7, 7, 64]
  x = flatten_(x);            // [batch, 3136]
  x = dense1_(x);             // [batch, 1024]
  x = dense2_(x);             // [batch, 10]
  return nn::softmax(x);
}

}  // namespace tapeflow::models
