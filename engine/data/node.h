#pragma once
// What a Dataset is made of: an immutable node per source or transformation, and the iterator one pass
// over it creates. Each transformation lives in its own file and is made by a function declared here.
#include <cstdint>
#include <memory>
#include <optional>

#include "tapeflow/data/dataset.h"

namespace tapeflow::data {

class ElementIterator {
 public:
  virtual ~ElementIterator() = default;
  // The next element, or nullopt at the end (and on every call after it).
  virtual std::optional<Element> next() = 0;
};

class DatasetNode {
 public:
  virtual ~DatasetNode() = default;
  // A new pass from the beginning. Called from any thread; nodes are immutable once built (what
  // changes per pass, such as the shuffle iteration count, is atomic or locked).
  virtual std::unique_ptr<ElementIterator> make_iterator() const = 0;
  virtual int64_t cardinality() const = 0;
};

using NodePtr = std::shared_ptr<const DatasetNode>;

}  // namespace tapeflow::data
