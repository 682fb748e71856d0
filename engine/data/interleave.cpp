// interleave: tf.data's cycle. Up to cycle_length datasets made by fn from input elements are open at
// once; the cursor takes block_length elements from one, then moves to the next slot. A slot whose
// dataset ends takes the next input element's dataset; the order is that of tf.data's interleave.
#include "engine/check.h"
#include "engine/data/nodes.h"
#include "engine/data/user_function.h"

namespace tapeflow::data {

namespace {

using InterleaveFn = std::function<Dataset(const Element&)>;

class InterleaveIterator final : public ElementIterator {
 public:
  InterleaveIterator(std::unique_ptr<ElementIterator> input, const InterleaveFn& fn, int64_t cycle_length,
                     int64_t block_length, bool read_ahead)
      : input_(std::move(input)), fn_(fn), block_length_(block_length), read_ahead_(read_ahead), cycle_(cycle_length) {}

  std::optional<Element> next() override {
    while (!input_done_ || open_ > 0) {
      Slot& slot = cycle_[cursor_];
      if (slot.source) {
        if (std::optional<Element> e = slot.source->next()) {
          if (++taken_in_block_ == block_length_) advance();
          return e;
        }
        slot = Slot{};  // this dataset has ended
        --open_;
        advance();
      } else if (!input_done_) {
        open(slot);  // read at once from the same position, as tf.data does
      } else {
        advance();
      }
    }
    return std::nullopt;
  }

 private:
  struct Slot {
    Dataset dataset{nullptr};  // keeps the nodes its iterator reads alive
    std::unique_ptr<ElementIterator> source;
  };

  void open(Slot& slot) {
    std::optional<Element> in = input_->next();
    if (!in) {
      input_done_ = true;
      return;
    }
    slot.dataset = call_user_function("interleave", [&] { return fn_(*in); });
    TAPEFLOW_CHECK(slot.dataset.node() != nullptr, "Dataset.interleave: the function returned an empty Dataset");
    slot.source = slot.dataset.node()->make_iterator();
    if (read_ahead_) slot.source = prefetch_iterator(std::move(slot.source), block_length_);
    ++open_;
  }

  void advance() {
    taken_in_block_ = 0;
    cursor_ = (cursor_ + 1) % cycle_.size();
  }

  std::unique_ptr<ElementIterator> input_;
  const InterleaveFn& fn_;
  const int64_t block_length_;
  const bool read_ahead_;
  std::vector<Slot> cycle_;
  size_t cursor_ = 0;
  int64_t taken_in_block_ = 0;
  int64_t open_ = 0;
  bool input_done_ = false;
};

class Interleave final : public DatasetNode {
 public:
  Interleave(NodePtr input, InterleaveFn fn, int64_t cycle_length, int64_t block_length, bool read_ahead)
      : input_(std::move(input)), fn_(std::move(fn)), cycle_length_(cycle_length), block_length_(block_length),
        read_ahead_(read_ahead) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    return n == kInfiniteCardinality || n == 0 ? n : kUnknownCardinality;
  }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    return std::make_unique<InterleaveIterator>(input_->make_iterator(), fn_, cycle_length_, block_length_, read_ahead_);
  }

 private:
  NodePtr input_;
  InterleaveFn fn_;
  int64_t cycle_length_, block_length_;
  bool read_ahead_;
};

}  // namespace

NodePtr interleave_node(NodePtr input, InterleaveFn fn, int64_t cycle_length, int64_t block_length,
                        int64_t num_parallel_calls) {
  TAPEFLOW_CHECK(fn != nullptr, "Dataset.interleave: expected a function, found an empty one");
  TAPEFLOW_CHECK(cycle_length > 0 || cycle_length == AUTOTUNE,
                 "Dataset.interleave: cycle_length must be positive or AUTOTUNE, found {}", cycle_length);
  TAPEFLOW_CHECK(block_length > 0, "Dataset.interleave: block_length must be positive, found {}", block_length);
  TAPEFLOW_CHECK(num_parallel_calls > 0 || num_parallel_calls == AUTOTUNE,
                 "Dataset.interleave: num_parallel_calls must be positive or AUTOTUNE, found {}", num_parallel_calls);
  return std::make_shared<Interleave>(std::move(input), std::move(fn),
                                      cycle_length == AUTOTUNE ? autotuned_threads() : cycle_length, block_length,
                                      num_parallel_calls != 1);
}

}  // namespace tapeflow::data
