// Op-table rows for shape and indexing ops, with index-arithmetic references.
#include "ops/op_case.h"
#include "ops/reference.h"

namespace tapeflow::testing {

namespace {

// out[idx] = x[map(idx)] for every output multi-index.
Tensor naive_index_map(const Tensor& x, const Shape& out_shape,
                       const std::function<int64_t(const std::vector<int64_t>&)>& source_offset) {
  const std::vector<float> v = x.numpy<float>();
  const auto st = strides_of(out_shape);
  std::vector<float> out(static_cast<size_t>(out_shape.num_elements()));
  std::vector<int64_t> idx(static_cast<size_t>(out_shape.rank()));
  for (int64_t i = 0; i < out_shape.num_elements(); ++i) {
    for (int d = 0; d < out_shape.rank(); ++d) idx[d] = i / st[d] % out_shape[d];
    out[i] = v[source_offset(idx)];
  }
  return constant(out, out_shape);
}

int64_t offset_in(const Shape& s, const std::vector<int64_t>& idx) {
  const auto st = strides_of(s);
  int64_t o = 0;
  for (int d = 0; d < s.rank(); ++d) o += idx[d] * st[d];
  return o;
}

Tensor naive_transpose(const Tensor& x, const std::vector<int>& perm) {
  Shape out;
  for (int p : perm) out.push_back(x.shape()[p]);
  return naive_index_map(x, out, [&](const std::vector<int64_t>& idx) {
    std::vector<int64_t> src(idx.size());
    for (size_t d = 0; d < perm.size(); ++d) src[perm[d]] = idx[d];
    return offset_in(x.shape(), src);
  });
}

Tensor naive_slice(const Tensor& x, const std::vector<int64_t>& begin, const Shape& size) {
  return naive_index_map(x, size, [&](const std::vector<int64_t>& idx) {
    std::vector<int64_t> src(idx.size());
    for (size_t d = 0; d < idx.size(); ++d) src[d] = idx[d] + begin[d];
    return offset_in(x.shape(), src);
  });
}

Tensor naive_concat(const std::vector<Tensor>& xs, int axis) {
  std::vector<float> values;
  Shape out = xs[0].shape();
  out[axis] = 0;
  for (const Tensor& x : xs) out[axis] += x.shape()[axis];
  const auto st = strides_of(out);
  values.resize(static_cast<size_t>(out.num_elements()));
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    std::vector<int64_t> idx(static_cast<size_t>(out.rank()));
    for (int d = 0; d < out.rank(); ++d) idx[d] = i / st[d] % out[d];
    size_t which = 0;
    while (idx[axis] >= xs[which].shape()[axis]) idx[axis] -= xs[which++].shape()[axis];
    values[i] = xs[which].numpy<float>()[offset_in(xs[which].shape(), idx)];
  }
  return constant(values, out);
}

// gather along axis 0 of a [n, inner] view.
Tensor naive_gather_rows(const Tensor& params, const Tensor& indices) {
  const int64_t n = params.shape()[0], inner = params.num_elements() / std::max<int64_t>(n, 1);
  const std::vector<float> p = params.numpy<float>();
  std::vector<float> out;
  for (int64_t id : cast(indices, DType::kInt64).numpy<int64_t>())
    out.insert(out.end(), p.begin() + id * inner, p.begin() + (id + 1) * inner);
  Shape s = indices.shape();
  for (int d = 1; d < params.rank(); ++d) s.push_back(params.shape()[d]);
  return constant(out, s);
}

OpCase row(OpId op, std::string name, std::vector<InputSpec> inputs, std::function<Tensor(const std::vector<Tensor>&)> run,
           std::function<Tensor(const std::vector<Tensor>&)> reference) {
  return {.op = op, .name = std::move(name), .inputs = std::move(inputs), .run = std::move(run),
          .reference = std::move(reference)};
}

}  // namespace

std::vector<OpCase> array_cases() {
  std::vector<OpCase> c;
  using V = const std::vector<Tensor>&;
  auto same_values = [](const Shape& s) { return [s](V in) { return constant(in[0].numpy<float>(), s); }; };
  c.push_back(row(OpId::k_reshape, "reshape_infer", {{.shape = {6, 35}}}, [](V in) { return reshape(in[0], {-1, 5, 7}); },
                  same_values({6, 5, 7})));
  c.push_back(row(OpId::k_reshape, "flatten", {{.shape = {3, 4, 5, 2}}}, [](V in) { return flatten(in[0]); },
                  same_values({3, 40})));
  c.push_back(row(OpId::k_reshape, "expand_dims", {{.shape = {3, 7}}}, [](V in) { return expand_dims(in[0], -2); },
                  same_values({3, 1, 7})));
  c.push_back(row(OpId::k_reshape, "squeeze", {{.shape = {1, 3, 1, 7}}}, [](V in) { return squeeze(in[0]); },
                  same_values({3, 7})));
  c.push_back(row(OpId::k_reshape, "reshape_empty", {{.shape = {0, 4}}}, [](V in) { return reshape(in[0], {2, 0, 2}); },
                  same_values({2, 0, 2})));

  for (const auto& perm : std::vector<std::vector<int>>{{1, 0}, {0, 2, 1}, {2, 0, 1}, {3, 1, 0, 2}}) {
    Shape s;
    const int64_t sizes[] = {3, 5, 7, 2};
    for (size_t d = 0; d < perm.size(); ++d) s.push_back(sizes[d]);
    std::string name = "transpose";
    for (int p : perm) name += "_" + std::to_string(p);
    c.push_back(row(OpId::k_transpose, name, {{.shape = s}}, [perm](V in) { return transpose(in[0], perm); },
                    [perm](V in) { return naive_transpose(in[0], perm); }));
  }
  c.push_back(row(OpId::k_transpose, "transpose_default_reverses", {{.shape = {2, 3, 4}}},
                  [](V in) { return transpose(in[0]); }, [](V in) { return naive_transpose(in[0], {2, 1, 0}); }));

  c.push_back(row(OpId::k_concat, "concat_axis0", {{.shape = {2, 3}}, {.shape = {5, 3}}, {.shape = {1, 3}}},
                  [](V in) { return concat(in, 0); }, [](V in) { return naive_concat(in, 0); }));
  c.push_back(row(OpId::k_concat, "concat_axis1", {{.shape = {4, 1, 3}}, {.shape = {4, 7, 3}}},
                  [](V in) { return concat(in, 1); }, [](V in) { return naive_concat(in, 1); }));
  c.push_back(row(OpId::k_concat, "concat_last_with_empty", {{.shape = {3, 2}}, {.shape = {3, 0}}, {.shape = {3, 5}}},
                  [](V in) { return concat(in, -1); }, [](V in) { return naive_concat(in, 1); }));
  c.push_back(row(OpId::k_concat, "stack", {{.shape = {3, 5}}, {.shape = {3, 5}}},
                  [](V in) { return stack(in, 1); },
                  [](V in) { return naive_concat({reshape(in[0], {3, 1, 5}), reshape(in[1], {3, 1, 5})}, 1); }));

  c.push_back(row(OpId::k_slice, "slice_box", {{.shape = {7, 9, 4}}},
                  [](V in) { return slice(in[0], {1, 2, 0}, {5, -1, 3}); },
                  [](V in) { return naive_slice(in[0], {1, 2, 0}, {5, 7, 3}); }));
  c.push_back(row(OpId::k_slice, "slice_row", {{.shape = {1, 33}}}, [](V in) { return slice(in[0], {0, 3}, {1, 30}); },
                  [](V in) { return naive_slice(in[0], {0, 3}, {1, 30}); }));

  c.push_back(row(OpId::k_gather, "gather_rows_repeated",
                  {{.shape = {7, 3}}, {.shape = {11}, .dtype = DType::kInt64, .values = Values::kIndex, .index_limit = 7}},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_2d_indices_int32",
                  {{.shape = {5, 2, 3}}, {.shape = {2, 4}, .dtype = DType::kInt32, .values = Values::kIndex, .index_limit = 5}},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_axis1",
                  {{.shape = {3, 6, 2}}, {.shape = {4}, .dtype = DType::kInt64, .values = Values::kIndex, .index_limit = 6}},
                  [](V in) { return gather(in[0], in[1], 1); },
                  [](V in) {
                    return naive_transpose(naive_gather_rows(naive_transpose(in[0], {1, 0, 2}), in[1]), {1, 0, 2});
                  }));

  c.push_back(row(OpId::k_one_hot, "one_hot",
                  {{.shape = {2, 9}, .dtype = DType::kInt64, .values = Values::kIndex, .index_limit = 6}},
                  [](V in) { return one_hot(in[0], 5, 2.f, -1.f); },
                  [](V in) {
                    std::vector<float> out;
                    for (int64_t id : in[0].numpy<int64_t>())
                      for (int64_t k = 0; k < 5; ++k) out.push_back(k == id ? 2.f : -1.f);  // id 5 is out of range
                    return constant(out, {2, 9, 5});
                  }));
  return c;
}

}  // namespace tapeflow::testing
