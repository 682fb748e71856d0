#pragma once
// The node of each source and transformation (one file each); Dataset's methods call these.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "engine/data/node.h"

namespace tapeflow::data {

NodePtr tensor_slices_node(const Element& components);
NodePtr range_node(int64_t start, int64_t stop, int64_t step);
NodePtr generator_node(std::function<Dataset::Generator()> make_generator);

NodePtr map_node(NodePtr input, std::function<Element(Element)> fn, int64_t num_parallel_calls, bool deterministic);
NodePtr filter_node(NodePtr input, std::function<bool(const Element&)> predicate);
// Without a seed, the key comes from the global generator.
NodePtr shuffle_node(NodePtr input, int64_t buffer_size, std::optional<uint64_t> seed, bool reshuffle_each_iteration);

struct Padding {
  std::vector<Shape> padded_shapes;  // empty: every dim to the batch's largest
  std::vector<Tensor> padding_values;  // empty: zeros / ""
};
// padding unset: a plain batch (every element of one shape).
NodePtr batch_node(NodePtr input, int64_t batch_size, bool drop_remainder, std::optional<Padding> padding);

NodePtr repeat_node(NodePtr input, int64_t count);
NodePtr take_node(NodePtr input, int64_t count);
NodePtr skip_node(NodePtr input, int64_t count);
NodePtr cache_node(NodePtr input);
NodePtr interleave_node(NodePtr input, std::function<Dataset(const Element&)> fn, int64_t cycle_length,
                        int64_t block_length, int64_t num_parallel_calls);
// device unset: a plain prefetch.
NodePtr prefetch_node(NodePtr input, int64_t buffer_size, std::optional<Device> device);

// A prefetching pass over `input` (the iterator behind prefetch(), for other transformations' use).
std::unique_ptr<ElementIterator> prefetch_iterator(std::unique_ptr<ElementIterator> input, int64_t buffer_size);

// AUTOTUNE as a thread count: one per core.
int64_t autotuned_threads();

}  // namespace tapeflow::data
