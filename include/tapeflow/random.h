#pragma once
// Seeded random tensors from a counter-based Philox4x32-10 generator: element i of a draw depends only
// on (seed, draw offset, i), so any thread count (and later the GPU) gives the same numbers.
// TF's argument order: shape, then the distribution's parameters, then the seed.
#include <cstdint>
#include <optional>

#include "tapeflow/tensor.h"

namespace tapeflow::random {

// Without a seed, a draw takes the next numbers of the global generator (see set_seed).
Tensor uniform(const Shape& shape, float minval = 0.f, float maxval = 1.f, std::optional<uint64_t> seed = {});
Tensor normal(const Shape& shape, float mean = 0.f, float stddev = 1.f, std::optional<uint64_t> seed = {});
// Normal, redrawn where more than two standard deviations from the mean (as tf.random.truncated_normal).
Tensor truncated_normal(const Shape& shape, float mean = 0.f, float stddev = 1.f, std::optional<uint64_t> seed = {});
// Uniform integers in [minval, maxval), int64.
Tensor uniform_int(const Shape& shape, int64_t minval, int64_t maxval, std::optional<uint64_t> seed = {});

// Re-seeds the global generator (tf.random.set_seed) and restarts its counter.
void set_seed(uint64_t seed);

// For ops that need random bits (dropout): reserves `count` counters of the global generator and
// returns the (key, first counter) pair that addresses them.
struct PhiloxRange { uint64_t key; uint64_t counter; };
PhiloxRange reserve_global(uint64_t count);

}  // namespace tapeflow::random
