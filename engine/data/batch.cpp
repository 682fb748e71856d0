// batch and padded_batch: batch_size consecutive elements, stacked component by component.
#include <fmt/format.h>

#include "engine/check.h"
#include "engine/data/nodes.h"
#include "engine/data/stack.h"

namespace tapeflow::data {

namespace {

class Batch final : public DatasetNode {
 public:
  Batch(NodePtr input, int64_t batch_size, bool drop_remainder, std::optional<Padding> padding)
      : input_(std::move(input)), batch_size_(batch_size), drop_remainder_(drop_remainder), padding_(std::move(padding)) {}

  int64_t cardinality() const override {
    const int64_t n = input_->cardinality();
    if (n < 0) return n;
    return drop_remainder_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
  }

  std::unique_ptr<ElementIterator> make_iterator() const override {
    class It final : public ElementIterator {
     public:
      It(std::unique_ptr<ElementIterator> input, const Batch& node) : input_(std::move(input)), node_(node) {}
      std::optional<Element> next() override {
        std::vector<Element> elements;
        while (static_cast<int64_t>(elements.size()) < node_.batch_size_) {
          std::optional<Element> e = input_->next();
          if (!e) break;
          elements.push_back(std::move(*e));
        }
        if (elements.empty() || (node_.drop_remainder_ && static_cast<int64_t>(elements.size()) < node_.batch_size_))
          return std::nullopt;
        return node_.stack_elements(elements);
      }

     private:
      std::unique_ptr<ElementIterator> input_;
      const Batch& node_;
    };
    return std::make_unique<It>(input_->make_iterator(), *this);
  }

 private:
  const char* name() const { return padding_ ? "padded_batch" : "batch"; }

  Element stack_elements(const std::vector<Element>& elements) const {
    const Element& first = elements[0];
    for (size_t i = 1; i < elements.size(); ++i) {
      TAPEFLOW_CHECK(elements[i].size() == first.size() && elements[i].keys() == first.keys(),
                     "Dataset.{}: element {} of a batch is {}, expected the structure of element 0, {}", name(), i,
                     elements[i].describe(), first.describe());
    }
    if (padding_) {
      TAPEFLOW_CHECK(padding_->padded_shapes.empty() || padding_->padded_shapes.size() == first.size(),
                     "Dataset.padded_batch: {} padded_shapes for elements of {} components {}",
                     padding_->padded_shapes.size(), first.size(), first.describe());
      TAPEFLOW_CHECK(padding_->padding_values.empty() || padding_->padding_values.size() == first.size(),
                     "Dataset.padded_batch: {} padding_values for elements of {} components {}",
                     padding_->padding_values.size(), first.size(), first.describe());
    }
    Element out = first;
    for (size_t c = 0; c < first.size(); ++c) {
      std::vector<Tensor> parts;
      for (const Element& e : elements) parts.push_back(e[c]);
      out[c] = stack_padded(parts, slot_shape(parts, c, elements), padding_value(c, first[c]));
    }
    return out;
  }

  // The shape every part of component c is stacked as: their common shape, or the padded one.
  Shape slot_shape(const std::vector<Tensor>& parts, size_t c, const std::vector<Element>& elements) const {
    const Tensor& first = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) {
      const bool same_rank = parts[i].rank() == first.rank() && parts[i].dtype() == first.dtype();
      TAPEFLOW_CHECK(same_rank && (padding_ || parts[i].shape() == first.shape()),
                     "Dataset.{}: component {} of element {} is {} {}, expected {} {} like element 0{}", name(), c, i,
                     dtype_name(parts[i].dtype()), parts[i].shape(), dtype_name(first.dtype()), first.shape(),
                     padding_ ? "" : " (padded_batch stacks elements of different shapes)");
    }
    if (!padding_) return first.shape();
    Shape largest = first.shape();
    for (const Tensor& p : parts)
      for (int d = 0; d < p.rank(); ++d) largest[d] = std::max(largest[d], p.shape()[d]);
    if (padding_->padded_shapes.empty()) return largest;
    Shape slot = padding_->padded_shapes[c];
    TAPEFLOW_CHECK(slot.rank() == largest.rank(), "Dataset.padded_batch: padded_shapes[{}] is {}, but component {} has rank {} in {}",
                   c, slot, c, largest.rank(), elements[0].describe());
    for (int d = 0; d < slot.rank(); ++d) {
      if (slot[d] < 0) slot[d] = largest[d];
      TAPEFLOW_CHECK(largest[d] <= slot[d], "Dataset.padded_batch: component {} has shape {} in this batch, larger than padded_shapes[{}] {}",
                     c, largest, c, padding_->padded_shapes[c]);
    }
    return slot;
  }

  Tensor padding_value(size_t c, const Tensor& component) const {
    if (!padding_ || padding_->padding_values.empty()) return Tensor();
    const Tensor& v = padding_->padding_values[c];
    TAPEFLOW_CHECK(v.defined() && v.num_elements() == 1 && v.dtype() == component.dtype() && v.device().is_cpu(),
                   "Dataset.padded_batch: padding_values[{}] must be a CPU scalar of {}, found {}", c,
                   dtype_name(component.dtype()),
                   v.defined() ? fmt::format("{} {}", dtype_name(v.dtype()), v.shape().to_string()) : "undefined");
    return v;
  }

  NodePtr input_;
  int64_t batch_size_;
  bool drop_remainder_;
  std::optional<Padding> padding_;
};

}  // namespace

NodePtr batch_node(NodePtr input, int64_t batch_size, bool drop_remainder, std::optional<Padding> padding) {
  TAPEFLOW_CHECK(batch_size > 0, "Dataset.{}: batch_size must be positive, found {}", padding ? "padded_batch" : "batch",
                 batch_size);
  return std::make_shared<Batch>(std::move(input), batch_size, drop_remainder, std::move(padding));
}

}  // namespace tapeflow::data
