// Sources: from_tensor_slices, range, from_generator.
#include "engine/check.h"
#include "engine/data/nodes.h"
#include "engine/data/user_function.h"
#include "engine/tensor_internal.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow::data {

namespace {

class TensorSlices final : public DatasetNode {
 public:
  explicit TensorSlices(Element components) : components_(std::move(components)) {
    TAPEFLOW_CHECK(components_.size() > 0, "Dataset.from_tensor_slices: expected at least one tensor, found none");
    for (size_t i = 0; i < components_.size(); ++i) {
      const Tensor& t = components_[i];
      detail::check_defined("Dataset.from_tensor_slices", t, "a component");
      TAPEFLOW_CHECK(t.rank() >= 1, "Dataset.from_tensor_slices: component {} is a scalar; slicing needs a dim 0 in {}",
                     i, components_.describe());
      TAPEFLOW_CHECK(t.shape()[0] == components_[0].shape()[0],
                     "Dataset.from_tensor_slices: components differ in dim 0 (the number of elements): {}",
                     components_.describe());
    }
  }

  int64_t cardinality() const override { return components_[0].shape()[0]; }

  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      explicit It(const TensorSlices& node) : node_(node) {}
      std::optional<Element> next() override {
        if (i_ >= node_.cardinality()) return std::nullopt;
        Element e = node_.components_;
        for (Tensor& t : e.tensors()) {
          const Shape row_shape(std::span<const int64_t>(t.shape().dims()).subspan(1));
          t = detail::view(detail::rows(t, i_, 1), row_shape);  // shares storage, copies nothing
        }
        ++i_;
        return e;
      }

     private:
      const TensorSlices& node_;
      int64_t i_ = 0;
    };
    return std::make_unique<It>(*this);
  }

 private:
  Element components_;
};

class Range final : public DatasetNode {
 public:
  Range(int64_t start, int64_t stop, int64_t step) : start_(start), stop_(stop), step_(step) {
    TAPEFLOW_CHECK(step != 0, "Dataset.range: step must not be 0");
  }

  int64_t cardinality() const override {
    const int64_t span = step_ > 0 ? stop_ - start_ : start_ - stop_;
    const int64_t magnitude = step_ > 0 ? step_ : -step_;
    return span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
  }

  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      explicit It(const Range& node) : node_(node), value_(node.start_) {}
      std::optional<Element> next() override {
        if (node_.step_ > 0 ? value_ >= node_.stop_ : value_ <= node_.stop_) return std::nullopt;
        const int64_t v = value_;
        value_ += node_.step_;
        return Element(constant(v));
      }

     private:
      const Range& node_;
      int64_t value_;
    };
    return std::make_unique<It>(*this);
  }

 private:
  int64_t start_, stop_, step_;
};

class FromGenerator final : public DatasetNode {
 public:
  explicit FromGenerator(std::function<Dataset::Generator()> make) : make_(std::move(make)) {
    TAPEFLOW_CHECK(make_ != nullptr, "Dataset.from_generator: expected a generator factory, found an empty function");
  }

  int64_t cardinality() const override { return kUnknownCardinality; }

  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      explicit It(Dataset::Generator generator) : generator_(std::move(generator)) {}
      std::optional<Element> next() override {
        if (done_) return std::nullopt;
        std::optional<Element> e = call_user_function("from_generator", generator_);
        done_ = !e.has_value();  // a generator need not keep returning nullopt once it has
        return e;
      }

     private:
      Dataset::Generator generator_;
      bool done_ = false;
    };
    Dataset::Generator generator = call_user_function("from_generator", make_);
    TAPEFLOW_CHECK(generator != nullptr, "Dataset.from_generator: the factory returned an empty generator");
    return std::make_unique<It>(std::move(generator));
  }

 private:
  std::function<Dataset::Generator()> make_;
};

}  // namespace

NodePtr tensor_slices_node(const Element& components) { return std::make_shared<TensorSlices>(components); }
NodePtr range_node(int64_t start, int64_t stop, int64_t step) { return std::make_shared<Range>(start, stop, step); }
NodePtr generator_node(std::function<Dataset::Generator()> make_generator) {
  return std::make_shared<FromGenerator>(std::move(make_generator));
}

}  // namespace tapeflow::data
