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

// A row over an integer tensor: the reference runs on float copies (exact for small integers).
Tensor as_float(const Tensor& t) { return cast(t, DType::kFloat32); }

void add_reshape_rows(std::vector<OpCase>& c) {
  using V = const std::vector<Tensor>&;
  auto same_values = [](const Shape& s) { return [s](V in) { return constant(in[0].numpy<float>(), s); }; };
  c.push_back(row(OpId::k_reshape, "reshape_infer", {{.shape = {6, 35}}}, [](V in) { return reshape(in[0], {-1, 5, 7}); },
                  same_values({6, 5, 7})));
  c.push_back(row(OpId::k_reshape, "reshape_to_scalar", {{.shape = {1, 1}}}, [](V in) { return reshape(in[0], {}); },
                  same_values({})));
  c.push_back(row(OpId::k_reshape, "reshape_batch1", {{.shape = {1, 257}}}, [](V in) { return reshape(in[0], {257, -1}); },
                  same_values({257, 1})));
  c.push_back(row(OpId::k_reshape, "reshape_empty", {{.shape = {0, 4}}}, [](V in) { return reshape(in[0], {2, 0, 2}); },
                  same_values({2, 0, 2})));
  c.push_back(row(OpId::k_reshape, "flatten", {{.shape = {3, 4, 5, 2}}}, [](V in) { return flatten(in[0]); },
                  same_values({3, 40})));
  c.push_back(row(OpId::k_reshape, "flatten_batch1", {{.shape = {1, 3, 7}}}, [](V in) { return flatten(in[0]); },
                  same_values({1, 21})));
  c.push_back(row(OpId::k_reshape, "flatten_empty_batch", {{.shape = {0, 3, 2}}}, [](V in) { return flatten(in[0]); },
                  same_values({0, 6})));
  c.push_back(row(OpId::k_reshape, "expand_dims", {{.shape = {3, 7}}}, [](V in) { return expand_dims(in[0], -2); },
                  same_values({3, 1, 7})));
  c.push_back(row(OpId::k_reshape, "expand_dims_end", {{.shape = {3, 7}}}, [](V in) { return expand_dims(in[0], -1); },
                  same_values({3, 7, 1})));
  c.push_back(row(OpId::k_reshape, "squeeze", {{.shape = {1, 3, 1, 7}}}, [](V in) { return squeeze(in[0]); },
                  same_values({3, 7})));
  c.push_back(row(OpId::k_reshape, "squeeze_named_axis", {{.shape = {1, 3, 1, 7}}},
                  [](V in) { return squeeze(in[0], {-2}); }, same_values({1, 3, 7})));
}

void add_transpose_rows(std::vector<OpCase>& c) {
  using V = const std::vector<Tensor>&;
  struct Perm {
    Shape shape;
    std::vector<int> perm;
  };
  // Size-1 dims, dims that merge, tiles cut at 33 and 257, an empty dim, and one big enough for threads.
  const Perm perms[] = {{{3, 5}, {1, 0}},           {{3, 5, 7}, {0, 2, 1}},           {{3, 5, 7}, {2, 0, 1}},
                        {{3, 5, 7, 2}, {3, 1, 0, 2}}, {{1, 33, 1, 7}, {3, 1, 0, 2}},   {{33, 257}, {1, 0}},
                        {{2, 3, 4, 5}, {0, 2, 3, 1}}, {{33, 257, 7}, {2, 0, 1}},       {{3, 0, 5}, {2, 0, 1}},
                        {{7, 1, 257}, {2, 1, 0}},    {{2, 3, 5}, {1, 0, 2}}};
  for (const Perm& p : perms) {
    std::string name = "transpose" + p.shape.to_string();
    for (int d : p.perm) name.append("_").append(std::to_string(d));
    c.push_back(row(OpId::k_transpose, name, {{.shape = p.shape}}, [perm = p.perm](V in) { return transpose(in[0], perm); },
                    [perm = p.perm](V in) { return naive_transpose(in[0], perm); }));
  }
  c.push_back(row(OpId::k_transpose, "transpose_default_reverses", {{.shape = {2, 3, 4}}},
                  [](V in) { return transpose(in[0]); }, [](V in) { return naive_transpose(in[0], {2, 1, 0}); }));
  // The kernel moves 8- and 1-byte elements too.
  for (DType dt : {DType::kInt64, DType::kUInt8}) {
    c.push_back(row(OpId::k_transpose, "transpose_" + std::string(dtype_name(dt)),
                    {{.shape = {5, 33, 3}, .dtype = dt, .values = Values::kIndex, .index_limit = 100}},
                    [](V in) { return transpose(in[0], {2, 0, 1}); },
                    [dt](V in) { return cast(naive_transpose(as_float(in[0]), {2, 0, 1}), dt); }));
  }
}

void add_concat_rows(std::vector<OpCase>& c) {
  using V = const std::vector<Tensor>&;
  c.push_back(row(OpId::k_concat, "concat_axis0", {{.shape = {2, 3}}, {.shape = {5, 3}}, {.shape = {1, 3}}},
                  [](V in) { return concat(in, 0); }, [](V in) { return naive_concat(in, 0); }));
  c.push_back(row(OpId::k_concat, "concat_axis1", {{.shape = {4, 1, 3}}, {.shape = {4, 7, 3}}},
                  [](V in) { return concat(in, 1); }, [](V in) { return naive_concat(in, 1); }));
  c.push_back(row(OpId::k_concat, "concat_last_with_empty", {{.shape = {3, 2}}, {.shape = {3, 0}}, {.shape = {3, 5}}},
                  [](V in) { return concat(in, -1); }, [](V in) { return naive_concat(in, 1); }));
  c.push_back(row(OpId::k_concat, "concat_single", {{.shape = {1, 33}}}, [](V in) { return concat(in, 1); },
                  [](V in) { return naive_concat(in, 1); }));
  c.push_back(row(OpId::k_concat, "concat_threaded", {{.shape = {300, 65}}, {.shape = {300, 130}}},
                  [](V in) { return concat(in, 1); }, [](V in) { return naive_concat(in, 1); }));
  c.push_back(row(OpId::k_concat, "stack", {{.shape = {3, 5}}, {.shape = {3, 5}}},
                  [](V in) { return stack(in, 1); },
                  [](V in) { return naive_concat({reshape(in[0], {3, 1, 5}), reshape(in[1], {3, 1, 5})}, 1); }));
  c.push_back(row(OpId::k_concat, "stack_axis0_three", {{.shape = {7}}, {.shape = {7}}, {.shape = {7}}},
                  [](V in) { return stack(in); },
                  [](V in) {
                    std::vector<Tensor> rows;
                    for (const Tensor& t : in) rows.push_back(reshape(t, {1, 7}));
                    return naive_concat(rows, 0);
                  }));
  c.push_back(row(OpId::k_concat, "stack_last", {{.shape = {2, 3}}, {.shape = {2, 3}}},
                  [](V in) { return stack(in, -1); },
                  [](V in) { return naive_concat({reshape(in[0], {2, 3, 1}), reshape(in[1], {2, 3, 1})}, 2); }));
}

void add_slice_rows(std::vector<OpCase>& c) {
  using V = const std::vector<Tensor>&;
  c.push_back(row(OpId::k_slice, "slice_box", {{.shape = {7, 9, 4}}},
                  [](V in) { return slice(in[0], {1, 2, 0}, {5, -1, 3}); },
                  [](V in) { return naive_slice(in[0], {1, 2, 0}, {5, 7, 3}); }));
  c.push_back(row(OpId::k_slice, "slice_row", {{.shape = {1, 33}}}, [](V in) { return slice(in[0], {0, 3}, {1, 30}); },
                  [](V in) { return naive_slice(in[0], {0, 3}, {1, 30}); }));
  c.push_back(row(OpId::k_slice, "slice_rank1", {{.shape = {257}}}, [](V in) { return slice(in[0], {100}, {-1}); },
                  [](V in) { return naive_slice(in[0], {100}, {157}); }));
  c.push_back(row(OpId::k_slice, "slice_rank4", {{.shape = {2, 3, 7, 5}}},
                  [](V in) { return slice(in[0], {1, 0, 2, 1}, {1, 3, 4, 3}); },
                  [](V in) { return naive_slice(in[0], {1, 0, 2, 1}, {1, 3, 4, 3}); }));
  c.push_back(row(OpId::k_slice, "slice_empty", {{.shape = {3, 4}}}, [](V in) { return slice(in[0], {1, 4}, {2, -1}); },
                  [](V in) { return naive_slice(in[0], {1, 4}, {2, 0}); }));
}

void add_gather_rows(std::vector<OpCase>& c) {
  using V = const std::vector<Tensor>&;
  auto ids = [](Shape s, int64_t limit, DType dt = DType::kInt64) {
    return InputSpec{.shape = s, .dtype = dt, .values = Values::kIndex, .index_limit = limit};
  };
  c.push_back(row(OpId::k_gather, "gather_rows_repeated", {{.shape = {7, 3}}, ids({11}, 7)},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_2d_indices_int32", {{.shape = {5, 2, 3}}, ids({2, 4}, 5, DType::kInt32)},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_axis1", {{.shape = {3, 6, 2}}, ids({4}, 6)},
                  [](V in) { return gather(in[0], in[1], 1); },
                  [](V in) {
                    return naive_transpose(naive_gather_rows(naive_transpose(in[0], {1, 0, 2}), in[1]), {1, 0, 2});
                  }));
  c.push_back(row(OpId::k_gather, "gather_last_axis", {{.shape = {3, 33}}, ids({2, 5}, 33)},
                  [](V in) { return gather(in[0], in[1], -1); },
                  [](V in) {
                    const Tensor rows = naive_gather_rows(naive_transpose(in[0], {1, 0}), in[1]);  // [2, 5, 3]
                    return naive_transpose(rows, {2, 0, 1});
                  }));
  c.push_back(row(OpId::k_gather, "gather_scalar_index", {{.shape = {7, 3}}, ids({}, 7)},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_no_indices", {{.shape = {7, 3}}, ids({0}, 7)},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_one_row", {{.shape = {1, 257}}, ids({9}, 1)},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
  c.push_back(row(OpId::k_gather, "gather_threaded", {{.shape = {300, 40}}, ids({1000}, 300)},
                  [](V in) { return gather(in[0], in[1]); }, [](V in) { return naive_gather_rows(in[0], in[1]); }));
}

Tensor naive_one_hot(const Tensor& indices, int64_t depth, float on, float off) {
  std::vector<float> out;
  for (int64_t id : cast(indices, DType::kInt64).numpy<int64_t>())
    for (int64_t k = 0; k < depth; ++k) out.push_back(k == id ? on : off);  // no k matches an out-of-range id
  Shape s = indices.shape();
  s.push_back(depth);
  return constant(out, s);
}

void add_one_hot_rows(std::vector<OpCase>& c) {
  using V = const std::vector<Tensor>&;
  c.push_back(row(OpId::k_one_hot, "one_hot",
                  {{.shape = {2, 9}, .dtype = DType::kInt64, .values = Values::kIndex, .index_limit = 6}},
                  [](V in) { return one_hot(in[0], 5, 2.f, -1.f); },  // id 5 is out of range
                  [](V in) { return naive_one_hot(in[0], 5, 2.f, -1.f); }));
  c.push_back(row(OpId::k_one_hot, "one_hot_negative_int32",
                  {{.shape = {33}, .dtype = DType::kInt32, .values = Values::kIndex, .index_limit = 10}},
                  [](V in) { return one_hot(in[0] - 3.f, 7); },  // ids -3..6
                  [](V in) { return naive_one_hot(in[0] - 3.f, 7, 1.f, 0.f); }));
}

}  // namespace

std::vector<OpCase> array_cases() {
  std::vector<OpCase> c;
  add_reshape_rows(c);
  add_transpose_rows(c);
  add_concat_rows(c);
  add_slice_rows(c);
  add_gather_rows(c);
  add_one_hot_rows(c);
  return c;
}

}  // namespace tapeflow::testing
