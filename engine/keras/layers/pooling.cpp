#include "tapeflow/keras/layers/pooling.h"

#include <fmt/format.h>

namespace tapeflow::layers {

Pool2D::Pool2D(std::string type, Pool2DOptions options, bool max)
    : Layer(std::move(type), options.name),
      pool_size_(options.pool_size),
      strides_(options.strides == std::array<int, 2>{0, 0} ? options.pool_size : options.strides),
      max_(max) {
  if (pool_size_[0] <= 0 || pool_size_[1] <= 0 || strides_[0] <= 0 || strides_[1] <= 0)
    fail(fmt::format("expected positive pool_size and strides, found {}x{} and {}x{}", pool_size_[0], pool_size_[1],
                     strides_[0], strides_[1]));
  try {
    padding_ = nn::parse_padding(options.padding);
  } catch (const Error& e) {
    fail(e.what());  // the same message, naming the layer
  }
}

Tensor Pool2D::call(const Tensor& inputs, bool) {
  if (inputs.rank() != 4)
    fail(fmt::format("expected inputs [batch, height, width, channels], found shape {}", inputs.shape().to_string()));
  return max_ ? nn::max_pool2d(inputs, pool_size_, strides_, padding_)
              : nn::avg_pool2d(inputs, pool_size_, strides_, padding_);
}

}  // namespace tapeflow::layers
