#pragma once
// tapeflow::data::Dataset, as tf.data.Dataset: a recipe for a stream of Elements (tuples or dicts of
// tensors). Transformations return new Datasets; nothing runs until the dataset is iterated, and every
// iteration (range-for, one per epoch) starts from the beginning.
//
//   auto ds = data::Dataset::from_tensor_slices({x, y}).shuffle(1000, 42).batch(32).prefetch(data::AUTOTUNE);
//   for (auto [bx, by] : ds) { ... }
//   model.fit(ds, {.epochs = 5});
//
// Errors inside a user function (map, filter, a generator, interleave), also on a worker thread, reach
// the consumer as a tapeflow::Error from the next element that depends on them, naming the
// transformation; the iteration then keeps throwing it. Destroying an iterator stops its threads.
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tapeflow/data/element.h"
#include "tapeflow/device.h"
#include "tapeflow/shape.h"
#include "tapeflow/tensor.h"

namespace tapeflow::data {

// As tf.data.AUTOTUNE: map/interleave use one thread per core; prefetch keeps a small buffer.
inline constexpr int64_t AUTOTUNE = -1;
// What cardinality() returns when the length is infinite or unknown (tf.data's values).
inline constexpr int64_t kInfiniteCardinality = -1;
inline constexpr int64_t kUnknownCardinality = -2;

class DatasetNode;
class ElementIterator;

// One pass over a Dataset: an input iterator for range-for, or call next() directly.
class Iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = Element;
  using difference_type = std::ptrdiff_t;

  Iterator();
  explicit Iterator(std::shared_ptr<const DatasetNode> node);  // starts a pass; reads nothing yet
  Iterator(Iterator&&) noexcept;
  Iterator& operator=(Iterator&&) noexcept;
  ~Iterator();  // stops the pass's threads (prefetch, parallel map) and waits for them

  // The next element (the one operator* shows, if it was looked at); nullopt at the end.
  std::optional<Element> next();

  // Range-for reads each element when it is first looked at, never ahead of the consumer.
  const Element& operator*() const;
  Iterator& operator++();
  void operator++(int) { ++*this; }
  bool operator==(std::default_sentinel_t) const;

 private:
  std::shared_ptr<const DatasetNode> node_;  // outlives source_, which reads from it
  std::unique_ptr<ElementIterator> source_;
  void fetch() const;
  mutable bool fetched_ = false;  // current_ holds the element at this position
  mutable std::optional<Element> current_;
};

class Dataset {
 public:
  // A fresh generator per iteration: returns the next element, or nullopt at the end.
  using Generator = std::function<std::optional<Element>()>;

  // --- sources ---
  // Slices along dim 0: a tensor, a tuple {x, y}, or a dict {{"image", x}, {"label", y}}; every
  // component must have the same dim 0.
  static Dataset from_tensor_slices(const Element& components);
  // int64 scalars start, start + step, ... below stop (above it for a negative step), as tf.data.Dataset.range.
  static Dataset range(int64_t stop);
  static Dataset range(int64_t start, int64_t stop, int64_t step = 1);
  // make_generator runs once per iteration, so the dataset can be iterated many times (tf.data's
  // from_generator takes a generator function for the same reason).
  static Dataset from_generator(std::function<Generator()> make_generator);
  // Paths matching a glob pattern, as string scalars; sorted, then shuffled each iteration unless
  // `shuffle` is false. No match is an Error naming the pattern.
  static Dataset list_files(const std::string& pattern, bool shuffle = true, std::optional<uint64_t> seed = {});

  // --- transformations ---
  // fn runs on num_parallel_calls threads (1: on the consumer's thread; AUTOTUNE: one per core). The
  // output order is the input order unless deterministic is false (then elements come as they finish).
  Dataset map(std::function<Element(Element)> fn, int64_t num_parallel_calls = 1, bool deterministic = true) const;
  Dataset filter(std::function<bool(const Element&)> predicate) const;
  // TF's buffer semantics: fills a buffer of buffer_size elements and returns a random one of them,
  // replacing it by the next input element. A seed gives the same orders on every run; with
  // reshuffle_each_iteration each iteration draws a new order (iteration k's order is fixed by seed and k).
  // Without a seed, the key comes from the global generator (random::set_seed) when shuffle() is called.
  Dataset shuffle(int64_t buffer_size, std::optional<uint64_t> seed = {}, bool reshuffle_each_iteration = true) const;
  // Stacks batch_size consecutive elements component by component (string scalars stack to string
  // vectors); the last, smaller batch is dropped with drop_remainder.
  Dataset batch(int64_t batch_size, bool drop_remainder = false) const;
  // As batch, but components may differ in shape: each is padded at the end of every dim to
  // padded_shapes[i] (a -1 dim, or an empty list for all components: the batch's largest), with
  // padding_values[i] (a scalar of the component's dtype; empty: 0 or "").
  Dataset padded_batch(int64_t batch_size, std::vector<Shape> padded_shapes = {},
                       std::vector<Tensor> padding_values = {}, bool drop_remainder = false) const;
  // count times (-1: forever). Forever over an empty dataset ends instead of spinning.
  Dataset repeat(int64_t count = -1) const;
  Dataset take(int64_t count) const;  // the first count elements (-1: all)
  Dataset skip(int64_t count) const;  // all but the first count elements (-1: none left)
  // Keeps the elements of the first complete iteration in memory; later iterations replay them.
  Dataset cache() const;
  // fn maps each input element to a dataset; cycle_length of those are read round-robin, block_length
  // elements at a time (tf.data's interleave). With num_parallel_calls > 1 the open datasets are read
  // ahead on background threads; the order stays the same.
  Dataset interleave(std::function<Dataset(const Element&)> fn, int64_t cycle_length = AUTOTUNE,
                     int64_t block_length = 1, int64_t num_parallel_calls = 1) const;
  // Produces up to buffer_size elements ahead on a background thread while the consumer works.
  Dataset prefetch(int64_t buffer_size = AUTOTUNE) const;
  // As prefetch, and the background thread also moves every numeric tensor to `device` through pinned
  // host memory (tf.data.experimental.prefetch_to_device). On the CPU it is a plain prefetch.
  Dataset prefetch_to_device(Device device, int64_t buffer_size = 1) const;

  // Number of elements, or kInfiniteCardinality / kUnknownCardinality.
  int64_t cardinality() const;

  Iterator begin() const;
  std::default_sentinel_t end() const { return {}; }

  // For extensions (TFRecordDataset is built from from_generator and interleave; this is for the engine).
  explicit Dataset(std::shared_ptr<const DatasetNode> node);
  const std::shared_ptr<const DatasetNode>& node() const { return node_; }

 private:
  std::shared_ptr<const DatasetNode> node_;
};

}  // namespace tapeflow::data
