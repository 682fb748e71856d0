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

// Running mean of the values passed (weighted by count); update_state(values) or (unused, values).
class Mean : public Metric {
 public:
  explicit Mean(std::string name = "mean") : Metric(std::move(name)) {}
  void update_state(const Tensor& values);
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;
  void reset_state() override;

 private:
  double total_ = 0;
  double count_ = 0;
};

// Fraction of examples whose argmax of y_pred equals the integer label y_true.
class SparseCategoricalAccuracy : public Metric {
 public:
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy") : Metric(std::move(name)) {}
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;
  void reset_state() override;

 private:
  double correct_ = 0;
  double count_ = 0;
};

// argmax(y_pred) == argmax(y_true) for one-hot targets.
class CategoricalAccuracy : public Metric {
 public:
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy") : Metric(std::move(name)) {}
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;
  void reset_state() override;

 private:
  double correct_ = 0;
  double count_ = 0;
};

// y_pred == y_true elementwise (after casting y_true to y_pred's dtype).
class Accuracy : public Metric {
 public:
  explicit Accuracy(std::string name = "accuracy") : Metric(std::move(name)) {}
  void update_state(const Tensor& y_true, const Tensor& y_pred) override;
  double result() const override;
  void reset_state() override;

 private:
  double correct_ = 0;
  double count_ = 0;
};

// A metric by Keras name: "sparse_categorical_accuracy", "categorical_accuracy", "accuracy".
std::unique_ptr<Metric> get(const std::string& name);

}  // namespace tapeflow::metrics
