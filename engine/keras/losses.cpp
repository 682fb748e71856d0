// Keras losses: per-example functions, and Loss objects that reduce them. The numerics follow tf.keras
// (TF2 backend): probabilities are clipped to [1e-7, 1 - 1e-7] before the log, logits take stable forms.
#include "tapeflow/keras/losses.h"

#include "engine/check.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/ops/reduction.h"

namespace tapeflow::losses {

namespace {

constexpr float kEpsilon = 1e-7f;  // Keras's backend epsilon()

Tensor clip_probabilities(const Tensor& p) {
  return minimum(maximum(p, fill({}, kEpsilon, p.device())), fill({}, 1.f - kEpsilon, p.device()));
}

// Class ids of shape y_pred.shape[:-1] from int32/int64 labels or float labels holding integers (cast, as
// Keras does), with or without a trailing dim of 1.
Tensor sparse_labels(const char* what, const Tensor& y_true, const Tensor& y_pred) {
  detail::check_defined(what, y_true, "y_true");
  detail::check_defined(what, y_pred, "y_pred");
  detail::check_dtype(what, y_pred, DType::kFloat32, "y_pred");
  TAPEFLOW_CHECK(y_pred.rank() >= 1, "{}: y_pred must have a class dimension, found shape {}", what, y_pred.shape());
  const bool is_int = y_true.dtype() == DType::kInt32 || y_true.dtype() == DType::kInt64;
  Tensor labels = is_int ? y_true : cast(y_true, DType::kInt64);
  const Shape batch(y_pred.shape().dims().first(y_pred.rank() - 1));
  if (labels.rank() == batch.rank() + 1 && labels.shape()[labels.rank() - 1] == 1) labels = reshape(labels, batch);
  TAPEFLOW_CHECK(labels.shape() == batch, "{}: y_true {} does not match y_pred {} (expected labels of shape {})", what,
                 y_true.shape(), y_pred.shape(), batch);
  return labels;
}

void check_same_shape(const char* what, const Tensor& y_true, const Tensor& y_pred) {
  detail::check_defined(what, y_true, "y_true");
  detail::check_defined(what, y_pred, "y_pred");
  detail::check_dtype(what, y_pred, DType::kFloat32, "y_pred");
  TAPEFLOW_CHECK(y_true.shape() == y_pred.shape(), "{}: y_true {} and y_pred {} must have the same shape", what,
                 y_true.shape(), y_pred.shape());
}

}  // namespace

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  const Tensor labels = sparse_labels("sparse_categorical_crossentropy", y_true, y_pred);
  if (from_logits) return nn::sparse_softmax_cross_entropy_with_logits(labels, y_pred);
  // As tf.keras: the log of the clipped probabilities goes through the fused op as logits
  // (softmax(log p) = p / sum(p), so unnormalised rows are normalised as Keras does).
  return nn::sparse_softmax_cross_entropy_with_logits(labels, log(clip_probabilities(y_pred)));
}

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits) {
  check_same_shape("categorical_crossentropy", y_true, y_pred);
  const Tensor log_p =
      from_logits ? nn::log_softmax(y_pred) : log(clip_probabilities(y_pred / reduce_sum(y_pred, {-1}, true)));
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
    // tf.nn.sigmoid_cross_entropy_with_logits: max(x, 0) - x z + log(1 + exp(-|x|)) never overflows.
    const Tensor abs_x = maximum(y_pred, neg(y_pred));
    return reduce_mean(maximum(y_pred, fill({}, 0.f, y_pred.device())) - y_pred * z + log(exp(neg(abs_x)) + 1.f),
                       {-1});
  }
  // tf.keras's backend adds epsilon inside the logs on top of the clipping.
  const Tensor p = clip_probabilities(y_pred);
  return reduce_mean(neg(z * log(p + kEpsilon) + (1.f - z) * log((1.f - p) + kEpsilon)), {-1});
}

Tensor Loss::operator()(const Tensor& y_true, const Tensor& y_pred) const {
  detail::check_defined(name_.c_str(), y_true, "y_true");
  detail::check_defined(name_.c_str(), y_pred, "y_pred");
  // Keras's squeeze_or_expand_dimensions: a trailing dim of 1 on one side only is dropped, so that
  // y_true [N] meets a Dense(1) output [N, 1].
  Tensor t = y_true, p = y_pred;
  if (t.rank() == p.rank() + 1 && t.shape()[t.rank() - 1] == 1) t = squeeze(t, {-1});
  if (p.rank() == t.rank() + 1 && p.shape()[p.rank() - 1] == 1) p = squeeze(p, {-1});
  const Tensor per = per_example(t, p);
  switch (options_.reduction) {
    // Keras divides with divide_no_nan: an empty batch has loss 0.
    case Reduction::kSumOverBatchSize: return per.num_elements() == 0 ? reduce_sum(per) : reduce_mean(per);
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
  if (name == "sparse_categorical_crossentropy" || name == "SparseCategoricalCrossentropy")
    return std::make_shared<SparseCategoricalCrossentropy>();
  if (name == "categorical_crossentropy" || name == "CategoricalCrossentropy")
    return std::make_shared<CategoricalCrossentropy>();
  if (name == "mean_squared_error" || name == "mse" || name == "MSE" || name == "MeanSquaredError")
    return std::make_shared<MeanSquaredError>();
  if (name == "binary_crossentropy" || name == "BinaryCrossentropy") return std::make_shared<BinaryCrossentropy>();
  throw Error(fmt::format("unknown loss '{}' (expected sparse_categorical_crossentropy, categorical_crossentropy, "
                          "mean_squared_error (mse) or binary_crossentropy)",
                          name));
}

}  // namespace tapeflow::losses
