#include "tapeflow/keras/batches.h"

#include <algorithm>
#include <numeric>

#include "engine/check.h"
#include "engine/tensor_internal.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/random.h"

namespace tapeflow {

TensorBatches::TensorBatches(const char* what, Tensor x, Tensor y, int64_t batch_size, bool shuffle,
                             std::optional<uint64_t> seed)
    : x_(std::move(x)), y_(std::move(y)), batch_size_(batch_size), shuffle_(shuffle), seed_(seed) {
  detail::check_defined(what, x_, "x");
  TAPEFLOW_CHECK(x_.rank() >= 1, "{}: x must have a batch dimension, found shape {}", what, x_.shape());
  TAPEFLOW_CHECK(batch_size_ > 0, "{}: batch_size must be positive, found {}", what, batch_size_);
  if (y_.defined()) {
    TAPEFLOW_CHECK(y_.rank() >= 1 && y_.shape()[0] == x_.shape()[0],
                   "{}: x and y have different numbers of examples: x is {}, y is {}", what, x_.shape(), y_.shape());
  }
}

int64_t TensorBatches::num_batches() const { return (x_.shape()[0] + batch_size_ - 1) / batch_size_; }

void TensorBatches::start_epoch(int epoch) {
  next_ = 0;
  if (!shuffle_) return;
  const int64_t n = x_.shape()[0];
  // Sorting uniform keys gives a permutation that depends only on the seed (or global generator).
  const std::optional<uint64_t> epoch_seed = seed_ ? std::optional<uint64_t>(*seed_ + 1000003ull * epoch) : std::nullopt;
  const std::vector<float> keys = random::uniform({n}, 0.f, 1.f, epoch_seed).numpy<float>();
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b]; });
}

std::optional<std::pair<Tensor, Tensor>> TensorBatches::next_batch() {
  if (next_ >= num_batches()) return std::nullopt;
  return batch(next_++);
}

std::pair<Tensor, Tensor> TensorBatches::batch(int64_t i) const {
  const int64_t begin = i * batch_size_;
  const int64_t count = std::min(batch_size_, x_.shape()[0] - begin);
  if (order_.empty()) return {detail::rows(x_, begin, count), y_.defined() ? detail::rows(y_, begin, count) : Tensor()};
  const Tensor index = constant(std::vector<int64_t>(order_.begin() + begin, order_.begin() + begin + count), {count});
  return {gather(x_, index), y_.defined() ? gather(y_, index) : Tensor()};
}

DatasetBatches::DatasetBatches(const char* what, data::Dataset dataset, std::optional<int64_t> steps_per_epoch,
                               bool needs_labels)
    : what_(what), dataset_(std::move(dataset)), steps_per_epoch_(steps_per_epoch), needs_labels_(needs_labels) {
  TAPEFLOW_CHECK(dataset_.node() != nullptr, "{}: the dataset is empty (default-constructed)", what);
  TAPEFLOW_CHECK(!steps_per_epoch_ || *steps_per_epoch_ > 0, "{}: steps_per_epoch must be positive, found {}", what,
                 steps_per_epoch_.value_or(0));
  TAPEFLOW_CHECK(steps_per_epoch_ || dataset_.cardinality() != data::kInfiniteCardinality,
                 "{}: the dataset is infinite (repeat() without a count); give steps_per_epoch", what);
}

int64_t DatasetBatches::num_batches() const {
  if (steps_per_epoch_) return *steps_per_epoch_;
  const int64_t n = dataset_.cardinality();
  return n >= 0 ? n : seen_epoch_.value_or(-1);
}

void DatasetBatches::start_epoch(int) {
  taken_ = 0;
  if (!steps_per_epoch_ || !pass_) pass_.emplace(dataset_.begin());  // with steps: one pass for all epochs
}

std::optional<std::pair<Tensor, Tensor>> DatasetBatches::next_batch() {
  if (steps_per_epoch_ && taken_ == *steps_per_epoch_) return std::nullopt;
  TAPEFLOW_CHECK(pass_.has_value(), "{}: next_batch() before start_epoch()", what_);
  std::optional<data::Element> e = pass_->next();
  if (!e) {
    ran_out_ = steps_per_epoch_.has_value();
    if (!seen_epoch_) seen_epoch_ = taken_;
    return std::nullopt;
  }
  ++taken_;
  TAPEFLOW_CHECK(e->size() == 2 || (e->size() == 1 && !needs_labels_),
                 "{}: expected dataset elements {}, found {}", what_, needs_labels_ ? "(x, y)" : "x or (x, y)",
                 e->describe());
  return std::pair{(*e)[0], e->size() == 2 ? (*e)[1] : Tensor()};
}

}  // namespace tapeflow
