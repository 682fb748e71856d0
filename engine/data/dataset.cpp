// Dataset's methods (each builds a node from nodes.h) and the Iterator of range-for.
#include "tapeflow/data/dataset.h"

#include <glob.h>

#include <exception>

#include "engine/check.h"
#include "engine/data/nodes.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow::data {

Iterator::Iterator() = default;
Iterator::Iterator(std::shared_ptr<const DatasetNode> node) : node_(std::move(node)), source_(node_->make_iterator()) {}
Iterator::Iterator(Iterator&&) noexcept = default;
Iterator& Iterator::operator=(Iterator&&) noexcept = default;
Iterator::~Iterator() = default;

std::optional<Element> Iterator::next() {
  if (fetched_) {
    fetched_ = false;
    return std::move(current_);
  }
  return source_ ? source_->next() : std::nullopt;
}

void Iterator::fetch() const {
  if (fetched_) return;
  current_ = source_ ? source_->next() : std::nullopt;
  fetched_ = true;
}

bool Iterator::operator==(std::default_sentinel_t) const {
  fetch();
  return !current_.has_value();
}

const Element& Iterator::operator*() const {
  fetch();
  TAPEFLOW_CHECK(current_.has_value(), "Dataset iterator: dereferenced past the end");
  return *current_;
}

Iterator& Iterator::operator++() {
  fetch();  // skips the element at this position even if nobody looked at it
  fetched_ = false;
  return *this;
}

Dataset::Dataset(std::shared_ptr<const DatasetNode> node) : node_(std::move(node)) {}

Dataset Dataset::from_tensor_slices(const Element& components) { return Dataset(tensor_slices_node(components)); }
Dataset Dataset::range(int64_t stop) { return range(0, stop, 1); }
Dataset Dataset::range(int64_t start, int64_t stop, int64_t step) { return Dataset(range_node(start, stop, step)); }
Dataset Dataset::from_generator(std::function<Generator()> make_generator) {
  return Dataset(generator_node(std::move(make_generator)));
}

Dataset Dataset::list_files(const std::string& pattern, bool shuffle, std::optional<uint64_t> seed) {
  glob_t matches{};
  const int status = ::glob(pattern.c_str(), 0, nullptr, &matches);  // sorted, as tf.io.gfile.glob
  std::vector<std::string> files(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
  globfree(&matches);
  TAPEFLOW_CHECK(status == 0 || status == GLOB_NOMATCH, "Dataset.list_files: cannot search '{}' (glob error {})",
                 pattern, status);
  TAPEFLOW_CHECK(!files.empty(), "Dataset.list_files: no files match the pattern '{}'", pattern);
  const int64_t n = static_cast<int64_t>(files.size());
  Dataset names = from_tensor_slices(constant(files, {n}));
  return shuffle ? names.shuffle(n, seed) : names;
}

Dataset Dataset::map(std::function<Element(Element)> fn, int64_t num_parallel_calls, bool deterministic) const {
  return Dataset(map_node(node_, std::move(fn), num_parallel_calls, deterministic));
}

Dataset Dataset::filter(std::function<bool(const Element&)> predicate) const {
  return Dataset(filter_node(node_, std::move(predicate)));
}

Dataset Dataset::shuffle(int64_t buffer_size, std::optional<uint64_t> seed, bool reshuffle_each_iteration) const {
  return Dataset(shuffle_node(node_, buffer_size, seed, reshuffle_each_iteration));
}

Dataset Dataset::batch(int64_t batch_size, bool drop_remainder) const {
  return Dataset(batch_node(node_, batch_size, drop_remainder, std::nullopt));
}

Dataset Dataset::padded_batch(int64_t batch_size, std::vector<Shape> padded_shapes, std::vector<Tensor> padding_values,
                              bool drop_remainder) const {
  return Dataset(batch_node(node_, batch_size, drop_remainder, Padding{std::move(padded_shapes), std::move(padding_values)}));
}

Dataset Dataset::repeat(int64_t count) const { return Dataset(repeat_node(node_, count)); }
Dataset Dataset::take(int64_t count) const { return Dataset(take_node(node_, count)); }
Dataset Dataset::skip(int64_t count) const { return Dataset(skip_node(node_, count)); }
Dataset Dataset::cache() const { return Dataset(cache_node(node_)); }

Dataset Dataset::interleave(std::function<Dataset(const Element&)> fn, int64_t cycle_length, int64_t block_length,
                            int64_t num_parallel_calls) const {
  return Dataset(interleave_node(node_, std::move(fn), cycle_length, block_length, num_parallel_calls));
}

Dataset Dataset::prefetch(int64_t buffer_size) const { return Dataset(prefetch_node(node_, buffer_size, std::nullopt)); }
Dataset Dataset::prefetch_to_device(Device device, int64_t buffer_size) const {
  return Dataset(prefetch_node(node_, buffer_size, device));
}

int64_t Dataset::cardinality() const { return node_->cardinality(); }

Iterator Dataset::begin() const { return Iterator(node_); }

}  // namespace tapeflow::data
