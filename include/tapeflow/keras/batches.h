#pragma once
// Where fit/evaluate/predict (and hand-written training loops) get their batches from. Tensors
// today; a Dataset plugs in as another BatchSource.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow {

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual int64_t num_batches() const = 0;
  // Called once before each epoch (reshuffles when asked to).
  virtual void start_epoch(int epoch) = 0;
  // Batch i of the current epoch: (x, y); y is undefined when the source has no labels.
  virtual std::pair<Tensor, Tensor> batch(int64_t i) const = 0;
};

// Slices of in-memory tensors along dim 0; with shuffling, a fresh permutation each epoch.
class TensorBatches : public BatchSource {
 public:
  // `what` names the caller in errors ("fit"). y may be undefined (predict).
  TensorBatches(const char* what, Tensor x, Tensor y, int64_t batch_size, bool shuffle,
                std::optional<uint64_t> seed);
  int64_t num_batches() const override;
  void start_epoch(int epoch) override;
  std::pair<Tensor, Tensor> batch(int64_t i) const override;
  int64_t num_examples() const { return x_.shape()[0]; }

 private:
  Tensor x_, y_;
  int64_t batch_size_;
  bool shuffle_;
  std::optional<uint64_t> seed_;
  std::vector<int64_t> order_;  // empty when not shuffling
};

}  // namespace tapeflow
