#include "engine/data/stack.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/check.h"
#include "tapeflow/ops/array.h"

namespace tapeflow::data {

namespace {

// Element i of `t` (any dtype) copied over element j of `out`, `count` consecutive elements.
void copy_elements(const Tensor& t, int64_t i, Tensor& out, int64_t j, int64_t count) {
  if (count == 0) return;
  if (t.dtype() == DType::kString) {
    const std::string* src = t.data<std::string>() + i;
    std::string* dst = out.data<std::string>() + j;
    for (int64_t k = 0; k < count; ++k) dst[k] = src[k];
    return;
  }
  const size_t size = dtype_size(t.dtype());
  std::memcpy(static_cast<char*>(out.raw_data()) + j * size, static_cast<const char*>(t.raw_data()) + i * size,
              count * size);
}

void fill_with(Tensor& out, const Tensor& fill) {
  if (out.dtype() == DType::kString) {
    const std::string value = fill.defined() ? fill.data<std::string>()[0] : std::string();
    std::string* dst = out.data<std::string>();
    for (int64_t k = 0; k < out.num_elements(); ++k) dst[k] = value;
    return;
  }
  if (!fill.defined()) {
    std::memset(out.raw_data(), 0, out.nbytes());
    return;
  }
  for (int64_t k = 0; k < out.num_elements(); ++k) copy_elements(fill, 0, out, k, 1);
}

// Copies `part` into the corner of out's slot that starts at element `base`, slot shape `slot`:
// one contiguous run per row of the part's last dim.
void copy_into_corner(const Tensor& part, const Shape& slot, Tensor& out, int64_t base) {
  const int rank = slot.rank();
  if (rank == 0) return copy_elements(part, 0, out, base, 1);
  const int64_t run = part.shape()[rank - 1];
  const int64_t runs = run == 0 ? 0 : part.num_elements() / run;
  std::vector<int64_t> index(rank, 0);  // of the run's first element within the part
  for (int64_t r = 0; r < runs; ++r) {
    int64_t dst = 0;
    for (int d = 0; d < rank; ++d) dst = dst * slot[d] + index[d];
    copy_elements(part, r * run, out, base + dst, run);
    for (int d = rank - 2; d >= 0; --d) {  // the next row: an odometer over all but the last dim
      if (++index[d] < part.shape()[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace

Tensor stack_padded(const std::vector<Tensor>& parts, const Shape& element_shape, const Tensor& fill) {
  const bool padded = std::any_of(parts.begin(), parts.end(), [&](const Tensor& p) { return !(p.shape() == element_shape); });
  if (!parts.empty() && !parts[0].device().is_cpu()) {
    if (padded) throw NotImplemented("padded_batch of tensors on " + parts[0].device().to_string());
    return stack(parts, 0);
  }
  Shape out_shape{static_cast<int64_t>(parts.size())};
  for (int64_t d : element_shape) out_shape.push_back(d);
  const DType dtype = parts.empty() ? DType::kFloat32 : parts[0].dtype();
  Tensor out = Tensor::empty(out_shape, dtype);
  if (padded) fill_with(out, fill);
  const int64_t slot_size = element_shape.num_elements();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (padded) {
      copy_into_corner(parts[i], element_shape, out, static_cast<int64_t>(i) * slot_size);
    } else {
      copy_elements(parts[i], 0, out, static_cast<int64_t>(i) * slot_size, slot_size);
    }
  }
  return out;
}

}  // namespace tapeflow::data
