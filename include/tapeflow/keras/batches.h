#pragma once
// Where fit/evaluate/predict (and hand-written training loops) get their batches from: in-memory
// tensors (TensorBatches) or a data::Dataset (DatasetBatches), read one epoch at a time.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "tapeflow/data/dataset.h"
#include "tapeflow/tensor.h"

namespace tapeflow {

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Batches in an epoch; -1 while unknown (a dataset of unknown length, before its first epoch ends).
  virtual int64_t num_batches() const = 0;
  // Called once before each epoch (reshuffles when asked to).
  virtual void start_epoch(int epoch) = 0;
  // The epoch's next batch (x, y), nullopt at its end; y is undefined when the source has no labels.
  virtual std::optional<std::pair<Tensor, Tensor>> next_batch() = 0;
};

// Slices of in-memory tensors along dim 0; with shuffling, a fresh permutation each epoch.
class TensorBatches : public BatchSource {
 public:
  // `what` names the caller in errors ("fit"). y may be undefined (predict).
  TensorBatches(const char* what, Tensor x, Tensor y, int64_t batch_size, bool shuffle,
                std::optional<uint64_t> seed);
  int64_t num_batches() const override;
  void start_epoch(int epoch) override;
  std::optional<std::pair<Tensor, Tensor>> next_batch() override;
  // Batch i of the current epoch, for loops that index batches themselves.
  std::pair<Tensor, Tensor> batch(int64_t i) const;
  int64_t num_examples() const { return x_.shape()[0]; }

 private:
  Tensor x_, y_;
  int64_t batch_size_;
  bool shuffle_;
  std::optional<uint64_t> seed_;
  std::vector<int64_t> order_;  // empty when not shuffling
  int64_t next_ = 0;            // next_batch()'s position in the epoch
};

// A Dataset of x or (x, y) elements, each a batch. Each epoch is one pass over the dataset; with
// steps_per_epoch, epochs are that many batches of one pass that continues across epochs (as Keras,
// for infinite datasets), and ran_out() tells when it ended early.
class DatasetBatches : public BatchSource {
 public:
  DatasetBatches(const char* what, data::Dataset dataset, std::optional<int64_t> steps_per_epoch, bool needs_labels);
  int64_t num_batches() const override;
  void start_epoch(int epoch) override;
  std::optional<std::pair<Tensor, Tensor>> next_batch() override;
  bool ran_out() const { return ran_out_; }

 private:
  const char* what_;
  data::Dataset dataset_;
  std::optional<int64_t> steps_per_epoch_;
  bool needs_labels_;
  std::optional<data::Iterator> pass_;
  int64_t taken_ = 0;                  // batches in this epoch so far
  std::optional<int64_t> seen_epoch_;  // batches in the first complete epoch, when the length was unknown
  bool ran_out_ = false;
};

}  // namespace tapeflow
