// shuffle: TF's buffer semantics. The buffer holds the next buffer_size elements; each output is a
// uniformly drawn buffer slot, refilled from the input. Draws come from Philox under a key that
// depends on the seed and, with reshuffle_each_iteration, on the iteration's number.
#include <atomic>
#include <vector>

#include "engine/check.h"
#include "engine/data/nodes.h"
#include "kernels/philox.h"
#include "tapeflow/random.h"

namespace tapeflow::data {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: nearby iteration numbers give unrelated keys
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class ShuffleIterator final : public ElementIterator {
 public:
  ShuffleIterator(std::unique_ptr<ElementIterator> input, int64_t buffer_size, uint64_t key)
      : input_(std::move(input)), buffer_size_(buffer_size), key_(key) {}

  std::optional<Element> next() override {
    while (!input_done_ && static_cast<int64_t>(buffer_.size()) < buffer_size_) {
      std::optional<Element> e = input_->next();
      if (!e) {
        input_done_ = true;
        break;
      }
      buffer_.push_back(std::move(*e));
    }
    if (buffer_.empty()) return std::nullopt;
    const size_t pick = draw(buffer_.size());
    Element out = std::move(buffer_[pick]);
    buffer_[pick] = std::move(buffer_.back());
    buffer_.pop_back();
    return out;
  }

 private:
  // Uniform in [0, n): the high half of a 32x32-bit product (Lemire's method, bias below 2^-32 * n).
  size_t draw(size_t n) {
    const uint32_t bits = kernels::philox4x32(key_, counter_++).x[0];
    return static_cast<size_t>((static_cast<uint64_t>(bits) * n) >> 32);
  }

  std::unique_ptr<ElementIterator> input_;
  int64_t buffer_size_;
  uint64_t key_;
  uint64_t counter_ = 0;
  bool input_done_ = false;
  std::vector<Element> buffer_;
};

class Shuffle final : public DatasetNode {
 public:
  Shuffle(NodePtr input, int64_t buffer_size, uint64_t key, bool reshuffle)
      : input_(std::move(input)), buffer_size_(buffer_size), key_(key), reshuffle_(reshuffle) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    const uint64_t iteration = reshuffle_ ? iterations_.fetch_add(1) : 0;
    return std::make_unique<ShuffleIterator>(input_->make_iterator(), buffer_size_, mix(key_ ^ mix(iteration)));
  }

 private:
  NodePtr input_;
  int64_t buffer_size_;
  uint64_t key_;
  bool reshuffle_;
  mutable std::atomic<uint64_t> iterations_{0};  // passes begun, for reshuffle_each_iteration
};

}  // namespace

NodePtr shuffle_node(NodePtr input, int64_t buffer_size, std::optional<uint64_t> seed, bool reshuffle_each_iteration) {
  TAPEFLOW_CHECK(buffer_size > 0, "Dataset.shuffle: buffer_size must be positive, found {}", buffer_size);
  // Unseeded: a fresh counter of the global generator, so random::set_seed fixes the order too.
  const random::PhiloxRange global = seed ? random::PhiloxRange{} : random::reserve_global(1);
  const uint64_t key = seed ? mix(*seed) : global.key ^ mix(global.counter);
  return std::make_shared<Shuffle>(std::move(input), buffer_size, key, reshuffle_each_iteration);
}

}  // namespace tapeflow::data
