// take and skip: the first count elements, or all but them.
#include "engine/check.h"
#include "engine/data/nodes.h"

namespace tapeflow::data {

namespace {

class Take final : public DatasetNode {
 public:
  Take(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (count_ < 0) return n;
    if (n == kInfiniteCardinality) return count_;
    return n == kUnknownCardinality ? n : std::min(n, count_);
  }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      It(std::unique_ptr<ElementIterator> input, int64_t count) : input_(std::move(input)), left_(count) {}
      std::optional<Element> next() override {
        if (left_ == 0) return std::nullopt;
        std::optional<Element> e = input_->next();
        if (e && left_ > 0) --left_;
        return e;
      }

     private:
      std::unique_ptr<ElementIterator> input_;
      int64_t left_;  // -1: no limit
    };
    return std::make_unique<It>(input_->make_iterator(), count_);
  }

 private:
  NodePtr input_;
  int64_t count_;
};

class Skip final : public DatasetNode {
 public:
  Skip(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}
  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (count_ < 0) return n == kInfiniteCardinality ? kUnknownCardinality : 0;
    return n < 0 ? n : std::max<int64_t>(0, n - count_);
  }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      It(std::unique_ptr<ElementIterator> input, int64_t count) : input_(std::move(input)), to_skip_(count) {}
      std::optional<Element> next() override {
        for (; to_skip_ != 0; to_skip_ = to_skip_ > 0 ? to_skip_ - 1 : -1)
          if (!input_->next()) return std::nullopt;
        return input_->next();
      }

     private:
      std::unique_ptr<ElementIterator> input_;
      int64_t to_skip_;  // -1: everything
    };
    return std::make_unique<It>(input_->make_iterator(), count_);
  }

 private:
  NodePtr input_;
  int64_t count_;
};

}  // namespace

NodePtr take_node(NodePtr input, int64_t count) {
  TAPEFLOW_CHECK(count >= -1, "Dataset.take: count must be -1 (all) or at least 0, found {}", count);
  return std::make_shared<Take>(std::move(input), count);
}

NodePtr skip_node(NodePtr input, int64_t count) {
  TAPEFLOW_CHECK(count >= -1, "Dataset.skip: count must be -1 (all) or at least 0, found {}", count);
  return std::make_shared<Skip>(std::move(input), count);
}

}  // namespace tapeflow::data
