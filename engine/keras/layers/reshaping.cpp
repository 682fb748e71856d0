#include "tapeflow/keras/layers/reshaping.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tapeflow/ops/array.h"

namespace tapeflow::layers {

Flatten::Flatten(FlattenOptions options) : Layer("Flatten", std::move(options.name)) {}

Tensor Flatten::call(const Tensor& inputs, bool) {
  if (inputs.rank() < 1) fail("expected inputs with a batch dimension, found a scalar");
  return flatten(inputs);
}

Reshape::Reshape(ReshapeOptions options) : Layer("Reshape", options.name), options_(std::move(options)) {}

Tensor Reshape::call(const Tensor& inputs, bool) {
  if (inputs.rank() < 1) fail("expected inputs with a batch dimension, found a scalar");
  std::vector<int64_t> dims{inputs.shape()[0]};
  dims.insert(dims.end(), options_.target_shape.begin(), options_.target_shape.end());
  Shape target(dims);
  int64_t known = 1;
  bool infer = false;
  for (int64_t d : options_.target_shape) d < 0 ? infer = true : known *= d;
  const int64_t per_example = inputs.shape()[0] ? inputs.num_elements() / inputs.shape()[0] : 0;
  if (infer ? (known == 0 || per_example % known != 0) : known != per_example)
    fail(fmt::format("cannot reshape inputs {} into (batch, {})", inputs.shape().to_string(),
                     fmt::join(options_.target_shape, ", ")));
  return reshape(inputs, target);
}

}  // namespace tapeflow::layers
