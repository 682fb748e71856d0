#include "tapeflow/random.h"

#include <mutex>

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
  GlobalGenerator& g = global_generator();
  std::lock_guard lock(g.mutex);
  PhiloxRange range{g.key, g.counter};
  g.counter += count;
  return range;
}

Tensor uniform(const Shape& shape, float minval, float maxval, std::optional<uint64_t> seed) {
  check_shape("random::uniform", shape);
  TAPEFLOW_CHECK(minval < maxval, "random::uniform: expected minval < maxval, found {} and {}", minval, maxval);
  Tensor out = Tensor::empty(shape);
  const int64_t n = out.num_elements();
  const PhiloxRange r = range_for(seed, (n + 3) / 4);
  kernels::cpu::philox_uniform(out.data<float>(), n, r.key, r.counter, minval, maxval);
  return out;
}

Tensor normal(const Shape& shape, float mean, float stddev, std::optional<uint64_t> seed) {
  check_shape("random::normal", shape);
  Tensor out = Tensor::empty(shape);
  const int64_t n = out.num_elements();
  const PhiloxRange r = range_for(seed, (n + 3) / 4);
  kernels::cpu::philox_normal(out.data<float>(), n, r.key, r.counter, mean, stddev);
  return out;
}

Tensor truncated_normal(const Shape& shape, float mean, float stddev, std::optional<uint64_t> seed) {
  check_shape("random::truncated_normal", shape);
  Tensor out = Tensor::empty(shape);
  const int64_t n = out.num_elements();
  const PhiloxRange r = range_for(seed, (n + 3) / 4);
  kernels::cpu::philox_truncated_normal(out.data<float>(), n, r.key, r.counter, mean, stddev);
  return out;
}

Tensor uniform_int(const Shape& shape, int64_t minval, int64_t maxval, std::optional<uint64_t> seed) {
  check_shape("random::uniform_int", shape);
  TAPEFLOW_CHECK(minval < maxval, "random::uniform_int: expected minval < maxval, found {} and {}", minval, maxval);
  Tensor out = Tensor::empty(shape, DType::kInt64);
  const int64_t n = out.num_elements();
  const PhiloxRange r = range_for(seed, (n + 1) / 2);
  kernels::cpu::philox_uniform_int(out.data<int64_t>(), n, r.key, r.counter, minval, maxval);
  return out;
}

}  // namespace tapeflow::random
