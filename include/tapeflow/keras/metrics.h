#pragma once
// Keras metrics: stateful accumulators with update_state / result / reset_state.
#include <memory>
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::metrics {

class Metric {
 public:
  explicit Metric(std::string name) : name_(std::move(name)) {}
  virtual ~Metric() = default;
  virtual void update_state(const Tensor& y_true, const Tensor& y_pred) = 0;
  virtual double result() const = 0;
  virtual void reset_state() = 0;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// A metric that reports total / count of what its updates add (Mean and the accuracies); 0 before any
// update, as Keras's divide_no_nan.
class RatioMetric : public Metric {
 public:
  using Metric::Metric;
  double result() const override { return count_ > 0 ? total_ / count_ : 0.0; }
  void reset_state() override { total_ = count_ = 0; }

 protected:
  void accumulate(double total, double count) {
    total_ += total;
    count_ += count;
  }

 private:
  double total_ = 0;
  double count_ = 0;
};

// Running mean of the values passed (weighted by count); update_state(values) or (unused, values).
class Mean : public RatioMetric {
 public:
  explicit Mean(std::string name = "mean") : RatioMetric(std::move(name)) {}
  void update_state(const Tensor& values);
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

// Fraction of examples whose argmax of y_pred equals the integer label y_true.
class SparseCategoricalAccuracy : public RatioMetric {
 public:
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy") : RatioMetric(std::move(name)) {}
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

// argmax(y_pred) == argmax(y_true) for one-hot targets.
class CategoricalAccuracy : public RatioMetric {
 public:
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy") : RatioMetric(std::move(name)) {}
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

// y_pred == y_true elementwise (after casting y_true to y_pred's dtype).
class Accuracy : public RatioMetric {
 public:
  explicit Accuracy(std::string name = "accuracy") : RatioMetric(std::move(name)) {}
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
};

// A metric by Keras name: "sparse_categorical_accuracy", "categorical_accuracy", "accuracy".
std::unique_ptr<Metric> get(const std::string& name);

}  // namespace tapeflow::metrics
