#include "tapeflow/random.h"

#include <mutex>

#include "engine/capture.h"
#include "engine/check.h"
#include "kernels/random.h"

namespace tapeflow::random {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The global generator: a key from the seed and a running counter (tf.random.set_seed semantics).
struct GlobalGenerator {
  std::mutex mutex;
  uint64_t key = splitmix64(0);
  uint64_t counter = 0;
};
GlobalGenerator& global_generator() {
  static GlobalGenerator generator;
  return generator;
}

PhiloxRange range_for(std::optional<uint64_t> seed, uint64_t blocks) {
  if (seed) return {splitmix64(*seed), 0};
  return reserve_global(blocks);
}

void check_shape(const char* op, const Shape& shape) {
  for (int64_t d : shape) TAPEFLOW_CHECK(d >= 0, "{}: shape {} has a negative dimension", op, shape);
}

}  // namespace

void set_seed(uint64_t seed) {
  GlobalGenerator& g = global_generator();
  std::lock_guard lock(g.mutex);
  g.key = splitmix64(seed);
  g.counter = 0;
}

PhiloxRange reserve_global(uint64_t count) {
  capture::forbid("a random op without a seed, such as dropout (each replay would draw the same numbers)");
  GlobalGenerator& g = global_generator();
  std::lock_guard lock(g.mutex);
  PhiloxRange range{g.key, g.counter};
  g.counter += count;
  return range;
}

namespace {
// One draw: a tensor of `shape` filled by `fill(data, n, key, counter)`, consuming one Philox block per
// `per_block` elements of the seeded stream or the global generator.
template <class T, class Fill>
Tensor draw(const char* op, const Shape& shape, std::optional<uint64_t> seed, int64_t per_block, Fill fill) {
  check_shape(op, shape);
  Tensor out = Tensor::empty(shape, dtype_of<T>);
  const int64_t n = out.num_elements();
  const PhiloxRange r = range_for(seed, static_cast<uint64_t>((n + per_block - 1) / per_block));
  fill(out.data<T>(), n, r.key, r.counter);
  return out;
}
}  // namespace

Tensor uniform(const Shape& shape, float minval, float maxval, std::optional<uint64_t> seed) {
  TAPEFLOW_CHECK(minval < maxval, "random::uniform: expected minval < maxval, found {} and {}", minval, maxval);
  return draw<float>("random::uniform", shape, seed, 4, [&](float* out, int64_t n, uint64_t key, uint64_t counter) {
    kernels::cpu::philox_uniform(out, n, key, counter, minval, maxval);
  });
}

Tensor normal(const Shape& shape, float mean, float stddev, std::optional<uint64_t> seed) {
  return draw<float>("random::normal", shape, seed, 4, [&](float* out, int64_t n, uint64_t key, uint64_t counter) {
    kernels::cpu::philox_normal(out, n, key, counter, mean, stddev);
  });
}

Tensor truncated_normal(const Shape& shape, float mean, float stddev, std::optional<uint64_t> seed) {
  return draw<float>("random::truncated_normal", shape, seed, 4,
                     [&](float* out, int64_t n, uint64_t key, uint64_t counter) {
                       kernels::cpu::philox_truncated_normal(out, n, key, counter, mean, stddev);
                     });
}

Tensor uniform_int(const Shape& shape, int64_t minval, int64_t maxval, std::optional<uint64_t> seed) {
  TAPEFLOW_CHECK(minval < maxval, "random::uniform_int: expected minval < maxval, found {} and {}", minval, maxval);
  return draw<int64_t>("random::uniform_int", shape, seed, 2,
                       [&](int64_t* out, int64_t n, uint64_t key, uint64_t counter) {
                         kernels::cpu::philox_uniform_int(out, n, key, counter, minval, maxval);
                       });
}

}  // namespace tapeflow::random
