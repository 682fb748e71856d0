#pragma once
// Reading datasets of int64 scalars (or batches of them) back as plain vectors.
#include <cstdint>
#include <vector>

#include "tapeflow/data/dataset.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow::testing {

// Every element's first component, flattened, in order.
inline std::vector<int64_t> flat_values(const data::Dataset& ds) {
  std::vector<int64_t> out;
  for (const data::Element& e : ds)
    for (int64_t v : e[0].numpy<int64_t>()) out.push_back(v);
  return out;
}

// The first component's shape, element by element: how the stream was cut into batches.
inline std::vector<int64_t> batch_sizes(const data::Dataset& ds) {
  std::vector<int64_t> out;
  for (const data::Element& e : ds) out.push_back(e[0].rank() == 0 ? 1 : e[0].shape()[0]);
  return out;
}

inline Tensor int64s(const std::vector<int64_t>& values) {
  return constant(values, {static_cast<int64_t>(values.size())});
}

inline std::vector<int64_t> iota(int64_t begin, int64_t end) {
  std::vector<int64_t> out;
  for (int64_t v = begin; v < end; ++v) out.push_back(v);
  return out;
}

}  // namespace tapeflow::testing
