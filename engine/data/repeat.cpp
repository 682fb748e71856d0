// repeat: the input again and again, count times or forever.
#include "engine/check.h"
#include "engine/data/nodes.h"

namespace tapeflow::data {

namespace {

class Repeat final : public DatasetNode {
 public:
  Repeat(NodePtr input, int64_t count) : input_(std::move(input)), count_(count) {}

  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n == 0 || count_ == 0) return 0;
    if (n < 0) return n;
    return count_ < 0 ? kInfiniteCardinality : n * count_;
  }

  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      explicit It(const Repeat& node) : node_(node) {}
      std::optional<Element> next() override {
        while (node_.count_ < 0 || passes_ < node_.count_) {
          if (!input_) {
            input_ = node_.input_->make_iterator();
            empty_pass_ = true;
          }
          if (std::optional<Element> e = input_->next()) {
            empty_pass_ = false;
            return e;
          }
          input_.reset();
          ++passes_;
          if (empty_pass_) break;  // an empty input would repeat forever without yielding
        }
        return std::nullopt;
      }

     private:
      const Repeat& node_;
      std::unique_ptr<ElementIterator> input_;
      int64_t passes_ = 0;
      bool empty_pass_ = false;
    };
    return std::make_unique<It>(*this);
  }

 private:
  NodePtr input_;
  int64_t count_;
};

}  // namespace

NodePtr repeat_node(NodePtr input, int64_t count) {
  TAPEFLOW_CHECK(count >= -1, "Dataset.repeat: count must be -1 (forever) or at least 0, found {}", count);
  return std::make_shared<Repeat>(std::move(input), count);
}

}  // namespace tapeflow::data
