#include "tapeflow/keras/layers/pooling.h"

#include <fmt/format.h>

#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

Pool2D::Pool2D(std::string type, Pool2DOptions options, bool max)
    : Layer(std::move(type), options.name), options_(std::move(options)), max_(max) {
  nn::parse_padding(options_.padding);
}

Tensor Pool2D::call(const Tensor& inputs, bool) {
  if (inputs.rank() != 4)
    fail(fmt::format("expected inputs [batch, height, width, channels], found shape {}", inputs.shape().to_string()));
  const std::array<int, 2> strides = options_.strides == std::array<int, 2>{0, 0} ? options_.pool_size : options_.strides;
  const nn::Padding padding = nn::parse_padding(options_.padding);
  return max_ ? nn::max_pool2d(inputs, options_.pool_size, strides, padding)
              : nn::avg_pool2d(inputs, options_.pool_size, strides, padding);
}

}  // namespace tapeflow::layers
