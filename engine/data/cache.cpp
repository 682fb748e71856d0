// cache (in memory): the first pass that reads its input to the end stores the elements; later passes
// replay them. A pass abandoned midway stores nothing, as in tf.data.
#include <mutex>
#include <vector>

#include "engine/data/nodes.h"

namespace tapeflow::data {

namespace {

class Cache final : public DatasetNode {
 public:
  explicit Cache(NodePtr input) : input_(std::move(input)) {}
  int64_t cardinality() const override { return input_->cardinality(); }

  std::unique_ptr<ElementIterator> make_iterator() const override {
    std::shared_ptr<const std::vector<Element>> cached;
    {
      std::lock_guard lock(mutex_);
      cached = elements_;
    }
    if (cached) return std::make_unique<Replay>(std::move(cached));
    return std::make_unique<Fill>(input_->make_iterator(), *this);
  }

 private:
  class Replay final : public ElementIterator {
   public:
    explicit Replay(std::shared_ptr<const std::vector<Element>> elements) : elements_(std::move(elements)) {}
    std::optional<Element> next() override {
      if (i_ >= elements_->size()) return std::nullopt;
      return (*elements_)[i_++];
    }

   private:
    std::shared_ptr<const std::vector<Element>> elements_;
    size_t i_ = 0;
  };

  class Fill final : public ElementIterator {
   public:
    Fill(std::unique_ptr<ElementIterator> input, const Cache& node) : input_(std::move(input)), node_(node) {}
    std::optional<Element> next() override {
      if (!input_) return std::nullopt;
      std::optional<Element> e = input_->next();
      if (e) {
        seen_.push_back(*e);
        return e;
      }
      input_.reset();
      std::lock_guard lock(node_.mutex_);
      if (!node_.elements_) node_.elements_ = std::make_shared<const std::vector<Element>>(std::move(seen_));
      return std::nullopt;
    }

   private:
    std::unique_ptr<ElementIterator> input_;
    const Cache& node_;
    std::vector<Element> seen_;
  };

  NodePtr input_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const std::vector<Element>> elements_;  // set once a pass completes
};

}  // namespace

NodePtr cache_node(NodePtr input) { return std::make_shared<Cache>(std::move(input)); }

}  // namespace tapeflow::data
