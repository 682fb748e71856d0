#include "tapeflow/keras/layers/conv2d.h"

#include <fmt/format.h>

#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

Conv2D::Conv2D(Conv2DOptions options) : Layer("Conv2D", options.name), options_(std::move(options)) {
  if (options_.filters <= 0) fail(fmt::format("expected filters > 0, found {}", options_.filters));
  const auto& [kh, kw] = options_.kernel_size;
  const auto& [sh, sw] = options_.strides;
  const auto& [dh, dw] = options_.dilation_rate;
  if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0)
    fail(fmt::format("expected positive kernel_size, strides and dilation_rate, found {}x{}, {}x{} and {}x{}", kh, kw,
                     sh, sw, dh, dw));
  try {
    padding_ = nn::parse_padding(options_.padding);
  } catch (const Error& e) {
    fail(e.what());  // the same message, naming the layer
  }
}

void Conv2D::build(const Shape& input_shape) {
  if (input_shape.rank() != 4)
    fail(fmt::format("expected inputs [batch, height, width, channels], found shape {}", input_shape.to_string()));
  const int64_t channels = input_shape[3];
  kernel_ = add_weight("kernel", {options_.kernel_size[0], options_.kernel_size[1], channels, options_.filters},
                       options_.kernel_initializer);
  if (options_.use_bias) bias_ = add_weight("bias", {options_.filters}, options_.bias_initializer);
  mark_built();
}

Tensor Conv2D::call(const Tensor& inputs, bool) {
  const Shape& s = inputs.shape();
  if (s.rank() != 4 || s[3] != kernel_.shape()[2])
    fail(fmt::format("expected inputs [batch, height, width, {}] (NHWC), found {}", kernel_.shape()[2], s.to_string()));
  if (options_.use_bias && options_.activation.is(nn::relu))
    return nn::conv2d_bias_relu(inputs, kernel_, bias_, options_.strides, padding_, options_.dilation_rate);
  Tensor out = nn::conv2d(inputs, kernel_, options_.strides, padding_, options_.dilation_rate);
  if (options_.use_bias) out = add(out, bias_);
  return options_.activation(out);
}

}  // namespace tapeflow::layers
