#include "engine/ops/broadcast.h"

#include <algorithm>

#include "engine/check.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/reduction.h"

namespace tapeflow::detail {

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const int rank = std::max(a.rank(), b.rank());
  Shape out;
  for (int i = 0; i < rank; ++i) {
    const int ia = i - (rank - a.rank()), ib = i - (rank - b.rank());
    const int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    TAPEFLOW_CHECK(da == db || da == 1 || db == 1, "{}: shapes {} and {} cannot be broadcast together", op, a, b);
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

namespace {
// Contiguous strides of `s` right-aligned to `out`, 0 where `s` is broadcast.
void broadcast_strides(const Shape& s, const Shape& out, int64_t* strides) {
  int64_t stride = 1;
  for (int i = out.rank() - 1; i >= 0; --i) {
    const int is = i - (out.rank() - s.rank());
    const int64_t d = is >= 0 ? s[is] : 1;
    strides[i] = (d == 1 && out[i] != 1) ? 0 : stride;
    stride *= d;
  }
}
}  // namespace

kernels::BroadcastLayout broadcast_layout(const Shape& a, const Shape& b, const Shape& out) {
  int64_t sa[kernels::kMaxRank], sb[kernels::kMaxRank];
  broadcast_strides(a, out, sa);
  broadcast_strides(b, out, sb);
  kernels::BroadcastLayout l;
  for (int i = 0; i < out.rank(); ++i) {
    if (out[i] == 1) continue;
    // Merge into the previous kept dim when both operands step through the two dims as one.
    if (l.rank > 0 && l.a_strides[l.rank - 1] == sa[i] * out[i] && l.b_strides[l.rank - 1] == sb[i] * out[i]) {
      l.dims[l.rank - 1] *= out[i];
      l.a_strides[l.rank - 1] = sa[i];
      l.b_strides[l.rank - 1] = sb[i];
      continue;
    }
    l.dims[l.rank] = out[i];
    l.a_strides[l.rank] = sa[i];
    l.b_strides[l.rank] = sb[i];
    ++l.rank;
  }
  return l;
}

Tensor sum_to_shape(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int offset = grad.rank() - shape.rank();
  std::vector<int> axes;
  for (int i = 0; i < grad.rank(); ++i)
    if (i < offset || (shape[i - offset] == 1 && grad.shape()[i] != 1)) axes.push_back(i);
  return reshape(reduce_sum(grad, axes), shape);
}

}  // namespace tapeflow::detail
