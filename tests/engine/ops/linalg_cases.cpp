// Op-table rows for matmul: every transpose combination, batched, broadcast, batch 1 and empty K.
#include "ops/op_case.h"

namespace tapeflow::testing {

namespace {

// Triple loop over the last two dims; a rank-2 operand is reused for every batch.
Tensor naive_matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const int64_t ra = sa[sa.rank() - 2], ca = sa[sa.rank() - 1], rb = sb[sb.rank() - 2], cb = sb[sb.rank() - 1];
  const int64_t m = ta ? ca : ra, k = ta ? ra : ca, n = tb ? rb : cb;
  const std::vector<float> va = a.numpy<float>(), vb = b.numpy<float>();
  Shape out_shape = sa.rank() > 2 ? Shape(sa.dims().first(sa.rank() - 2)) : Shape(sb.dims().first(sb.rank() - 2));
  const int64_t batch = out_shape.num_elements();
  out_shape.push_back(m);
  out_shape.push_back(n);
  std::vector<float> out(static_cast<size_t>(batch * m * n));
  for (int64_t p = 0; p < batch; ++p) {
    const float* pa = va.data() + (sa.rank() > 2 ? p * ra * ca : 0);
    const float* pb = vb.data() + (sb.rank() > 2 ? p * rb * cb : 0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t q = 0; q < k; ++q) s += double(ta ? pa[q * ca + i] : pa[i * ca + q]) * (tb ? pb[j * cb + q] : pb[q * cb + j]);
        out[(p * m + i) * n + j] = static_cast<float>(s);
      }
  }
  return constant(out, out_shape);
}

void add(std::vector<OpCase>& cases, const std::string& name, Shape a, Shape b, bool ta, bool tb) {
  cases.push_back({.op = OpId::k_matmul,
                   .name = "matmul_" + name,
                   .inputs = {{.shape = a}, {.shape = b}},
                   .run = [ta, tb](const std::vector<Tensor>& in) { return matmul(in[0], in[1], ta, tb); },
                   .reference = [ta, tb](const std::vector<Tensor>& in) { return naive_matmul(in[0], in[1], ta, tb); }});
}

}  // namespace

std::vector<OpCase> linalg_cases() {
  std::vector<OpCase> c;
  add(c, "7x33_33x5", {7, 33}, {33, 5}, false, false);
  add(c, "ta", {33, 7}, {33, 5}, true, false);
  add(c, "tb", {7, 33}, {5, 33}, false, true);
  add(c, "ta_tb", {33, 7}, {5, 33}, true, true);
  add(c, "batch1_row", {1, 17}, {17, 3}, false, false);
  add(c, "batched", {3, 4, 6}, {3, 6, 5}, false, false);
  add(c, "batched_ta_tb", {2, 6, 4}, {2, 5, 6}, true, true);
  add(c, "batched_times_matrix", {2, 3, 4, 9}, {9, 5}, false, false);
  add(c, "batched_ta_times_matrix", {2, 9, 4}, {9, 5}, true, false);
  add(c, "matrix_times_batched", {4, 9}, {3, 9, 5}, false, false);
  add(c, "empty_k", {3, 0}, {0, 4}, false, false);
  return c;
}

}  // namespace tapeflow::testing
