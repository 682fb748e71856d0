#include "tapeflow/keras/layers/reshaping.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "tapeflow/ops/array.h"

namespace tapeflow::layers {

Flatten::Flatten(FlattenOptions options) : Layer("Flatten", std::move(options.name)) {}

Tensor Flatten::call(const Tensor& inputs, bool) {
  if (inputs.rank() < 1) fail("expected inputs with a batch dimension, found a scalar");
  return flatten(inputs);
}

Reshape::Reshape(ReshapeOptions options) : Layer("Reshape", options.name), options_(std::move(options)) {
  const auto& target = options_.target_shape;
  const auto unknown = std::count(target.begin(), target.end(), -1);
  const bool valid = std::all_of(target.begin(), target.end(), [](int64_t d) { return d >= 0 || d == -1; });
  if (!valid || unknown > 1)
    fail(fmt::format("expected a target_shape of sizes >= 0 with at most one -1, found ({})", fmt::join(target, ", ")));
}

Tensor Reshape::call(const Tensor& inputs, bool) {
  if (inputs.rank() < 1) fail("expected inputs with a batch dimension, found a scalar");
  const auto& target = options_.target_shape;
  const int64_t batch = inputs.shape()[0];
  int64_t known = 1;  // the product of the target's sizes other than -1
  for (int64_t d : target) known *= d == -1 ? 1 : d;
  const int64_t per_example = batch > 0 ? inputs.num_elements() / batch : 0;
  const bool infer = std::find(target.begin(), target.end(), -1) != target.end();
  const bool fits = infer ? known > 0 && per_example % known == 0 : known == per_example;
  if (batch > 0 && !fits)
    fail(fmt::format("cannot reshape inputs {} into (batch, {})", inputs.shape().to_string(), fmt::join(target, ", ")));
  std::vector<int64_t> dims{batch};
  dims.insert(dims.end(), target.begin(), target.end());
  return reshape(inputs, Shape(dims));
}

}  // namespace tapeflow::layers
