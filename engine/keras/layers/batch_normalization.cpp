#include "tapeflow/keras/layers/batch_normalization.h"

#include <fmt/format.h>

#include "engine/autodiff.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/reduction.h"

namespace tapeflow::layers {

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : Layer("BatchNormalization", options.name), options_(std::move(options)) {}

void BatchNormalization::build(const Shape& input_shape) {
  if (input_shape.rank() < 2) fail(fmt::format("expected inputs of rank >= 2, found {}", input_shape.to_string()));
  axis_ = normalize_axis(options_.axis, input_shape.rank(), name().c_str());
  const Shape param{input_shape[axis_]};
  if (options_.scale) gamma_ = add_weight("gamma", param, "ones");
  if (options_.center) beta_ = add_weight("beta", param, "zeros");
  moving_mean_ = add_weight("moving_mean", param, "zeros", /*trainable=*/false);
  moving_variance_ = add_weight("moving_variance", param, "ones", /*trainable=*/false);
  mark_built();
}

Tensor BatchNormalization::call(const Tensor& inputs, bool training) {
  const int rank = inputs.rank();
  if (rank <= axis_ || inputs.shape()[axis_] != moving_mean_.shape()[0])
    fail(fmt::format("expected {} features along axis {}, found inputs {}", moving_mean_.shape()[0], axis_,
                     inputs.shape().to_string()));
  std::vector<int> reduce_axes;
  for (int d = 0; d < rank; ++d)
    if (d != axis_) reduce_axes.push_back(d);
  Shape param_shape;  // [1, ..., C, ..., 1] so parameters broadcast along `axis`
  for (int d = 0; d < rank; ++d) param_shape.push_back(d == axis_ ? inputs.shape()[d] : 1);
  Tensor mean, variance;
  if (training) {
    mean = reduce_mean(inputs, reduce_axes, /*keepdims=*/true);
    variance = reduce_mean(square(inputs - mean), reduce_axes, /*keepdims=*/true);
    autodiff::NoRecordScope no_record;
    const float m = options_.momentum;
    moving_mean_.assign(moving_mean_ * m + reshape(mean, moving_mean_.shape()) * (1.f - m));
    moving_variance_.assign(moving_variance_ * m + reshape(variance, moving_variance_.shape()) * (1.f - m));
  } else {
    mean = reshape(moving_mean_, param_shape);
    variance = reshape(moving_variance_, param_shape);
  }
  Tensor out = (inputs - mean) / sqrt(variance + options_.epsilon);
  if (options_.scale) out = out * reshape(gamma_, param_shape);
  if (options_.center) out = out + reshape(beta_, param_shape);
  return out;
}

}  // namespace tapeflow::layers
