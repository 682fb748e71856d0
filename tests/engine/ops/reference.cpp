#include "ops/reference.h"

#include <algorithm>

namespace tapeflow::testing {

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(static_cast<size_t>(s.rank()), 1);
  for (int i = s.rank() - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

namespace {
template <class R>
std::vector<R> broadcast_values(const Tensor& a, const Tensor& b, Shape& out_shape,
                                const std::function<R(float, float)>& f) {
  const int rank = std::max(a.rank(), b.rank());
  out_shape = Shape();
  for (int i = 0; i < rank; ++i) {
    const int ia = i - (rank - a.rank()), ib = i - (rank - b.rank());
    out_shape.push_back(std::max(ia >= 0 ? a.shape()[ia] : 1, ib >= 0 ? b.shape()[ib] : 1));
  }
  const std::vector<float> va = a.numpy<float>(), vb = b.numpy<float>();
  const auto sa = strides_of(a.shape()), sb = strides_of(b.shape());
  std::vector<R> out(static_cast<size_t>(out_shape.num_elements()));
  for (int64_t flat = 0; flat < out_shape.num_elements(); ++flat) {
    int64_t rem = flat, oa = 0, ob = 0;
    for (int i = rank - 1; i >= 0; --i) {
      const int64_t idx = rem % out_shape[i];
      rem /= out_shape[i];
      const int ia = i - (rank - a.rank()), ib = i - (rank - b.rank());
      if (ia >= 0 && a.shape()[ia] != 1) oa += idx * sa[ia];
      if (ib >= 0 && b.shape()[ib] != 1) ob += idx * sb[ib];
    }
    out[flat] = f(va[oa], vb[ob]);
  }
  return out;
}
}  // namespace

Tensor naive_broadcast(const Tensor& a, const Tensor& b, const std::function<float(float, float)>& f) {
  Shape shape;
  const std::vector<float> v = broadcast_values<float>(a, b, shape, f);
  return constant(v, shape);
}

Tensor naive_broadcast_compare(const Tensor& a, const Tensor& b, const std::function<bool(float, float)>& f) {
  Shape shape;
  const std::vector<bool> v = broadcast_values<bool>(a, b, shape, f);
  return constant(v, shape);
}

Tensor naive_map(const Tensor& x, const std::function<float(float)>& f) {
  std::vector<float> v = x.numpy<float>();
  for (float& e : v) e = f(e);
  return constant(v, x.shape());
}

}  // namespace tapeflow::testing
