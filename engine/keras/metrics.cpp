// Keras metrics. Updates read values on the host and never touch a tape.
#include "tapeflow/keras/metrics.h"

#include "engine/autodiff.h"
#include "engine/check.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/reduction.h"

namespace tapeflow::metrics {

namespace {

// Labels as int64 ids of shape `batch` (accepting float labels and a trailing dim of 1, as Keras does).
std::vector<int64_t> label_ids(const char* what, const Tensor& y_true, const Shape& batch) {
  detail::check_defined(what, y_true, "y_true");
  TAPEFLOW_CHECK(y_true.num_elements() == batch.num_elements(),
                 "{}: y_true {} does not match the predictions' batch shape {}", what, y_true.shape(), batch);
  return cast(y_true, DType::kInt64).numpy<int64_t>();
}

std::vector<int64_t> predicted_ids(const char* what, const Tensor& y_pred) {
  detail::check_dtype(what, y_pred, DType::kFloat32, "y_pred");
  TAPEFLOW_CHECK(y_pred.rank() >= 1, "{}: y_pred must have a class dimension, found a scalar", what);
  return argmax(y_pred, -1).numpy<int64_t>();
}

double count_equal(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  double n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i];
  return n;
}

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

}  // namespace

void Mean::update_state(const Tensor& values) {
  autodiff::NoRecordScope no_record;
  detail::check_defined(name().c_str(), values, "values");
  total_ += reduce_sum(cast(values, DType::kFloat32)).item<float>();
  count_ += static_cast<double>(values.num_elements());
}
void Mean::update_state(const Tensor&, const Tensor& y_pred) { update_state(y_pred); }
double Mean::result() const { return ratio(total_, count_); }
void Mean::reset_state() { total_ = count_ = 0; }

void SparseCategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred) {
  autodiff::NoRecordScope no_record;
  const std::vector<int64_t> predicted = predicted_ids(name().c_str(), y_pred);
  const Shape batch(y_pred.shape().dims().first(y_pred.rank() - 1));
  correct_ += count_equal(label_ids(name().c_str(), y_true, batch), predicted);
  count_ += static_cast<double>(predicted.size());
}
double SparseCategoricalAccuracy::result() const { return ratio(correct_, count_); }
void SparseCategoricalAccuracy::reset_state() { correct_ = count_ = 0; }

void CategoricalAccuracy::update_state(const Tensor& y_true, const Tensor& y_pred) {
  autodiff::NoRecordScope no_record;
  TAPEFLOW_CHECK(y_true.defined() && y_true.shape() == y_pred.shape(),
                 "{}: y_true {} and y_pred {} must have the same shape", name(),
                 y_true.defined() ? y_true.shape().to_string() : "undefined", y_pred.shape());
  const std::vector<int64_t> predicted = predicted_ids(name().c_str(), y_pred);
  correct_ += count_equal(argmax(cast(y_true, DType::kFloat32), -1).numpy<int64_t>(), predicted);
  count_ += static_cast<double>(predicted.size());
}
double CategoricalAccuracy::result() const { return ratio(correct_, count_); }
void CategoricalAccuracy::reset_state() { correct_ = count_ = 0; }

void Accuracy::update_state(const Tensor& y_true, const Tensor& y_pred) {
  autodiff::NoRecordScope no_record;
  detail::check_defined(name().c_str(), y_pred, "y_pred");
  const Tensor matches = cast(equal(cast(y_true, y_pred.dtype()), y_pred), DType::kFloat32);
  correct_ += reduce_sum(matches).item<float>();
  count_ += static_cast<double>(matches.num_elements());
}
double Accuracy::result() const { return ratio(correct_, count_); }
void Accuracy::reset_state() { correct_ = count_ = 0; }

std::unique_ptr<Metric> get(const std::string& name) {
  if (name == "sparse_categorical_accuracy") return std::make_unique<SparseCategoricalAccuracy>();
  if (name == "categorical_accuracy") return std::make_unique<CategoricalAccuracy>();
  if (name == "accuracy" || name == "acc") return std::make_unique<Accuracy>(name);
  throw Error(fmt::format(
      "unknown metric '{}' (expected sparse_categorical_accuracy, categorical_accuracy or accuracy)", name));
}

}  // namespace tapeflow::metrics
