// Keras metrics. Updates read values on the host in a NoRecordScope: they never touch a tape.
#include "tapeflow/keras/metrics.h"

#include "engine/autodiff.h"
#include "engine/check.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/reduction.h"

namespace tapeflow::metrics {

namespace {

// Keras's squeeze_or_expand_dimensions: y_true [N, 1] against y_pred [N] (or the reverse) drops the 1.
std::pair<Tensor, Tensor> squeeze_trailing_one(const char* what, const Tensor& y_true, const Tensor& y_pred) {
  detail::check_defined(what, y_true, "y_true");
  detail::check_defined(what, y_pred, "y_pred");
  Tensor t = y_true, p = y_pred;
  if (t.rank() == p.rank() + 1 && t.shape()[t.rank() - 1] == 1) t = squeeze(t, {-1});
  if (p.rank() == t.rank() + 1 && p.shape()[p.rank() - 1] == 1) p = squeeze(p, {-1});
  return {t, p};
}

// argmax over y_pred's last dim, as doubles (to compare with integer or float labels exactly).
std::vector<double> predicted_ids(const char* what, const Tensor& y_pred) {
  detail::check_dtype(what, y_pred, DType::kFloat32, "y_pred");
  TAPEFLOW_CHECK(y_pred.rank() >= 1, "{}: y_pred must have a class dimension, found shape {}", what, y_pred.shape());
  const std::vector<int64_t> ids = argmax(y_pred, -1).numpy<int64_t>();
  return {ids.begin(), ids.end()};
}

// Labels as doubles: integer labels exactly; float labels as they are, so 1.5 never matches a class (as Keras).
std::vector<double> label_values(const Tensor& y_true) {
  if (is_floating(y_true.dtype())) {
    const std::vector<float> v = cast(y_true, DType::kFloat32).numpy<float>();
    return {v.begin(), v.end()};
  }
  const std::vector<int64_t> v = cast(y_true, DType::kInt64).numpy<int64_t>();
  return {v.begin(), v.end()};
}

double count_equal(const std::vector<double>& a, const std::vector<double>& b) {
  double n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i];
  return n;
}

}  // namespace

void Mean::update_state(const Tensor& values) {
  autodiff::NoRecordScope no_record;
  detail::check_defined(name().c_str(), values, "values");
  double total = 0;
  for (float v : cast(values, DType::kFloat32).numpy<float>()) total += v;
  accumulate(total, static_cast<double>(values.num_elements()));
}
void Mean::update_state(const Tensor&, const Tensor& y_pred) { update_state(y_pred); }

void SparseCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred) {
  autodiff::NoRecordScope no_record;
  const char* what = name().c_str();
  detail::check_defined(what, y_true, "y_true");
  detail::check_defined(what, y_pred, "y_pred");
  const std::vector<double> predicted = predicted_ids(what, y_pred);
  const Shape batch(y_pred.shape().dims().first(y_pred.rank() - 1));
  Tensor labels = y_true;
  if (labels.rank() == batch.rank() + 1 && labels.shape()[labels.rank() - 1] == 1) labels = squeeze(labels, {-1});
  TAPEFLOW_CHECK(labels.shape() == batch, "{}: y_true {} does not match y_pred {} (expected labels of shape {})", what,
                 y_true.shape(), y_pred.shape(), batch);
  accumulate(count_equal(label_values(labels), predicted), static_cast<double>(predicted.size()));
}

void CategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred) {
  autodiff::NoRecordScope no_record;
  const char* what = name().c_str();
  detail::check_defined(what, y_true, "y_true");
  detail::check_defined(what, y_pred, "y_pred");
  TAPEFLOW_CHECK(y_true.shape() == y_pred.shape(), "{}: y_true {} and y_pred {} must have the same shape", what,
                 y_true.shape(), y_pred.shape());
  const std::vector<double> predicted = predicted_ids(what, y_pred);
  accumulate(count_equal(predicted_ids(what, cast(y_true, DType::kFloat32)), predicted),
             static_cast<double>(predicted.size()));
}

void Accuracy::update_state(const Tensor& y_true, const Tensor& y_pred) {
  autodiff::NoRecordScope no_record;
  const auto [t, p] = squeeze_trailing_one(name().c_str(), y_true, y_pred);
  TAPEFLOW_CHECK(t.shape() == p.shape(), "{}: y_true {} and y_pred {} must have the same shape", name(),
                 y_true.shape(), y_pred.shape());
  const Tensor matches = cast(equal(cast(t, p.dtype()), p), DType::kInt64);
  double correct = 0;
  for (int64_t m : matches.numpy<int64_t>()) correct += static_cast<double>(m);
  accumulate(correct, static_cast<double>(matches.num_elements()));
}

std::unique_ptr<Metric> get(const std::string& name) {
  if (name == "sparse_categorical_accuracy" || name == "SparseCategoricalAccuracy")
    return std::make_unique<SparseCategoricalAccuracy>();
  if (name == "categorical_accuracy" || name == "CategoricalAccuracy") return std::make_unique<CategoricalAccuracy>();
  // Keras names the metric as asked ("acc" logs as "acc").
  if (name == "accuracy" || name == "acc") return std::make_unique<Accuracy>(name);
  if (name == "Accuracy") return std::make_unique<Accuracy>();
  throw Error(fmt::format(
      "unknown metric '{}' (expected sparse_categorical_accuracy, categorical_accuracy or accuracy)", name));
}

}  // namespace tapeflow::metrics
