// filter: keeps the elements for which the predicate is true.
#include "engine/check.h"
#include "engine/data/nodes.h"
#include "engine/data/user_function.h"

namespace tapeflow::data {

namespace {

using Predicate = std::function<bool(const Element&)>;

class Filter final : public DatasetNode {
 public:
  Filter(NodePtr input, Predicate predicate) : input_(std::move(input)), predicate_(std::move(predicate)) {}
  int64_t cardinality() const override {
    return input_->cardinality() == kInfiniteCardinality ? kInfiniteCardinality : kUnknownCardinality;
  }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      It(std::unique_ptr<ElementIterator> input, const Predicate& predicate)
          : input_(std::move(input)), predicate_(predicate) {}
      std::optional<Element> next() override {
        while (std::optional<Element> e = input_->next())
          if (call_user_function("filter", [&] { return predicate_(*e); })) return e;
        return std::nullopt;
      }

     private:
      std::unique_ptr<ElementIterator> input_;
      const Predicate& predicate_;
    };
    return std::make_unique<It>(input_->make_iterator(), predicate_);
  }

 private:
  NodePtr input_;
  Predicate predicate_;
};

}  // namespace

NodePtr filter_node(NodePtr input, Predicate predicate) {
  TAPEFLOW_CHECK(predicate != nullptr, "Dataset.filter: expected a predicate, found an empty function");
  return std::make_shared<Filter>(std::move(input), std::move(predicate));
}

}  // namespace tapeflow::data
