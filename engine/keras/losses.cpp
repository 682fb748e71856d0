// Keras losses: per-example functions, and Loss objects that reduce them.
#include "tapeflow/keras/losses.h"

#include "engine/check.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/ops/reduction.h"

namespace tapeflow::losses {

namespace {

constexpr float kEpsilon = 1e-7f;  // Keras's backend epsilon

Tensor clip_probabilities(const Tensor& p) {
  return minimum(maximum(p, fill({}, kEpsilon, p.device())), fill({}, 1.f - kEpsilon, p.device()));
}

// Integer class ids of y_pred.shape[:-1] from int labels, float labels holding integers, or [N, 1].
Tensor sparse_labels(const char* what, const Tensor& y_true, const Tensor& y_pred) {
  detail::check_defined(what, y_true, "y_true");
  detail::check_dtype(what, y_pred, DType::kFloat32, "y_pred");
  TAPEFLOW_CHECK(y_pred.rank() >= 1, "{}: y_pred must have a class dimension, found a scalar", what);
  Tensor labels = y_true.dtype() == DType::kInt64 ? y_true : cast(y_true, DType::kInt64);
  const Shape batch(y_pred.shape().dims().first(y_pred.rank() - 1));
  if (labels.rank() == batch.rank() + 1 && labels.shape()[labels.rank() - 1] == 1) labels = reshape(labels, batch);
  TAPEFLOW_CHECK(labels.shape() == batch, "{}: y_true {} does not match y_pred {} (expected labels of shape {})", what,
                 y_true.shape(), y_pred.shape(), batch);
  return labels;
}

void check_same_shape(const char* what, const Tensor& y_true, const Tensor& y_pred) {
  detail::check_defined(what, y_true, "y_true");
  detail::check_dtype(what, y_pred, DType::kFloat32, "y_pred");
  TAPEFLOW_CHECK(y_true.shape() == y_pred.shape(), "{}: y_true {} and y_pred {} must have the same shape", what,
                 y_true.shape(), y_pred.shape());
}

}  // namespace

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  const Tensor labels = sparse_labels("sparse_categorical_crossentropy", y_true, y_pred);
  if (from_logits) return nn::sparse_softmax_cross_entropy_with_logits(labels, y_pred);
  // As Keras: the log of clipped probabilities, through the same fused kernel (softmax of log p is p).
  return nn::sparse_softmax_cross_entropy_with_logits(labels, log(clip_probabilities(y_pred)));
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  check_same_shape("categorical_crossentropy", y_true, y_pred);
  const Tensor log_p = from_logits ? nn::log_softmax(y_pred) : log(clip_probabilities(y_pred / reduce_sum(y_pred, {-1}, true)));
  return neg(reduce_sum(cast(y_true, DType::kFloat32) * log_p, {-1}));
}

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
  check_same_shape("mean_squared_error", y_true, y_pred);
  return reduce_mean(square(y_pred - cast(y_true, DType::kFloat32)), {-1});
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  check_same_shape("binary_crossentropy", y_true, y_pred);
  const Tensor z = cast(y_true, DType::kFloat32);
  if (from_logits) {
    // max(x, 0) - x z + log(1 + exp(-|x|)): never overflows.
    const Tensor zero = fill({}, 0.f, y_pred.device());
    const Tensor abs_x = maximum(y_pred, neg(y_pred));
    return reduce_mean(maximum(y_pred, zero) - y_pred * z + log(exp(neg(abs_x)) + 1.f), {-1});
  }
  const Tensor p = clip_probabilities(y_pred);
  return reduce_mean(neg(z * log(p) + (1.f - z) * log(1.f - p)), {-1});
}

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  const Tensor per = per_example(y_true, y_pred);
  switch (options_.reduction) {
    case Reduction::kSumOverBatchSize: return reduce_mean(per);
    case Reduction::kSum: return reduce_sum(per);
    case Reduction::kNone: return per;
  }
  return per;
}

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(LossOptions options)
    : Loss("sparse_categorical_crossentropy", options) {}
Tensor SparseCategoricalCrossentropy::per_example(const Tensor& y_true, const Tensor& y_pred) const {
  return sparse_categorical_crossentropy(y_true, y_pred, options().from_logits);
}

CategoricalCrossentropy::CategoricalCrossentropy(LossOptions options) : Loss("categorical_crossentropy", options) {}
Tensor CategoricalCrossentropy::per_example(const Tensor& y_true, const Tensor& y_pred) const {
  return categorical_crossentropy(y_true, y_pred, options().from_logits);
}

MeanSquaredError::MeanSquaredError(LossOptions options) : Loss("mean_squared_error", options) {}
Tensor MeanSquaredError::per_example(const Tensor& y_true, const Tensor& y_pred) const {
  return mean_squared_error(y_true, y_pred);
}

BinaryCrossentropy::BinaryCrossentropy(LossOptions options) : Loss("binary_crossentropy", options) {}
Tensor BinaryCrossentropy::per_example(const Tensor& y_true, const Tensor& y_pred) const {
  return binary_crossentropy(y_true, y_pred, options().from_logits);
}

std::shared_ptr<Loss> get(const std::string& name) {
  if (name == "sparse_categorical_crossentropy") return std::make_shared<SparseCategoricalCrossentropy>();
  if (name == "categorical_crossentropy") return std::make_shared<CategoricalCrossentropy>();
  if (name == "mean_squared_error" || name == "mse") return std::make_shared<MeanSquaredError>();
  if (name == "binary_crossentropy") return std::make_shared<BinaryCrossentropy>();
  throw Error(fmt::format("unknown loss '{}' (expected sparse_categorical_crossentropy, categorical_crossentropy, "
                          "mean_squared_error/mse or binary_crossentropy)",
                          name));
}

}  // namespace tapeflow::losses
