#pragma once
// Keras losses: functions returning one loss per example, and Loss objects that reduce them.
// Probabilities are clipped to [epsilon, 1 - epsilon] as Keras does (epsilon = 1e-7); from_logits
// takes the stable fused path.
#include <memory>
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::losses {

// y_true int labels of shape y_pred.shape[:-1]; y_pred probabilities (or logits) over the last dim.
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false);
// y_true one-hot (or soft) targets of y_pred's shape.
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false);
// Mean over the last dim.
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred, bool from_logits = false);

enum class Reduction { kSumOverBatchSize, kSum, kNone };

struct LossOptions {
  bool from_logits = false;
  Reduction reduction = Reduction::kSumOverBatchSize;
};

class Loss {
 public:
  Loss(std::string name, LossOptions options) : name_(std::move(name)), options_(options) {}
  virtual ~Loss() = default;
  // The reduced loss (a scalar unless reduction is kNone).
  Tensor operator()(const Tensor& y_true, const Tensor& y_pred) const;
  const std::string& name() const { return name_; }
  const LossOptions& options() const { return options_; }

 protected:
  virtual Tensor per_example(const Tensor& y_true, const Tensor& y_pred) const = 0;

 private:
  std::string name_;
  LossOptions options_;
};

class SparseCategoricalCrossentropy : public Loss {
 public:
  explicit SparseCategoricalCrossentropy(LossOptions options = {});
 protected:
  Tensor per_example(const Tensor& y_true, const Tensor& y_pred) const override;
};
class CategoricalCrossentropy : public Loss {
 public:
  explicit CategoricalCrossentropy(LossOptions options = {});
 protected:
  Tensor per_example(const Tensor& y_true, const Tensor& y_pred) const override;
};
class MeanSquaredError : public Loss {
 public:
  explicit MeanSquaredError(LossOptions options = {});
 protected:
  Tensor per_example(const Tensor& y_true, const Tensor& y_pred) const override;
};
class BinaryCrossentropy : public Loss {
 public:
  explicit BinaryCrossentropy(LossOptions options = {});
 protected:
  Tensor per_example(const Tensor& y_true, const Tensor& y_pred) const override;
};

// A loss object by Keras name ("sparse_categorical_crossentropy", "mse", ...).
std::shared_ptr<Loss> get(const std::string& name);

}  // namespace tapeflow::losses
