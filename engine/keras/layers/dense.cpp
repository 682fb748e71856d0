#include "tapeflow/keras/layers/dense.h"

#include <fmt/format.h>

#include "tapeflow/ops/linalg.h"
#include "tapeflow/ops/math.h"

namespace tapeflow::layers {

Dense::Dense(DenseOptions options) : Layer("Dense", options.name), options_(std::move(options)) {
  if (options_.units <= 0) fail(fmt::format("expected units > 0, found {}", options_.units));
}

void Dense::build(const Shape& input_shape) {
  if (input_shape.rank() < 2)
    fail(fmt::format("expected inputs of rank >= 2 ([batch, ..., features]), found shape {}", input_shape.to_string()));
  const int64_t in = input_shape[input_shape.rank() - 1];
  kernel_ = add_weight("kernel", {in, options_.units}, options_.kernel_initializer);
  if (options_.use_bias) bias_ = add_weight("bias", {options_.units}, options_.bias_initializer);
  mark_built();
}

Tensor Dense::call(const Tensor& inputs, bool) {
  const Shape& s = inputs.shape();
  if (s.rank() < 2 || s[s.rank() - 1] != kernel_.shape()[0])
    fail(fmt::format("expected inputs of shape [batch, ..., {}], found {}", kernel_.shape()[0], s.to_string()));
  Tensor out = matmul(inputs, kernel_);
  if (options_.use_bias) out = add(out, bias_);
  return options_.activation(out);
}

}  // namespace tapeflow::layers
