// Op-table rows for the elementwise family (engine/ops/math.cpp).
#include <cmath>

#include "ops/op_case.h"
#include "ops/reference.h"

namespace tapeflow::testing {

namespace {

using Fn2 = float (*)(float, float);

// Awkward shapes: same shape, scalar, trailing-dim broadcast, both-sides broadcast, rank mismatch.
struct ShapePair { const char* label; Shape a, b; };
const ShapePair kShapePairs[] = {
    {"same_7x33", {7, 33}, {7, 33}},
    {"scalar_b", {5, 3}, {}},
    {"row_bcast", {4, 1, 13}, {13}},
    {"both_bcast", {3, 1, 5}, {1, 4, 1}},
    {"batch1", {1, 257}, {1, 257}},
};

void add_binary(std::vector<OpCase>& cases, OpId op, Tensor (*fn)(const Tensor&, const Tensor&), Fn2 ref,
                Values a_values, Values b_values) {
  for (const ShapePair& p : kShapePairs) {
    cases.push_back({.op = op,
                     .name = std::string(op_name(op)) + "_" + p.label,
                     .inputs = {{.shape = p.a, .values = a_values}, {.shape = p.b, .values = b_values}},
                     .run = [fn](const std::vector<Tensor>& in) { return fn(in[0], in[1]); },
                     .reference = [ref](const std::vector<Tensor>& in) { return naive_broadcast(in[0], in[1], ref); }});
  }
}

void add_unary(std::vector<OpCase>& cases, OpId op, Tensor (*fn)(const Tensor&), float (*ref)(float), Values values) {
  for (const Shape& s : {Shape{}, Shape{1}, Shape{3, 37}, Shape{2, 5, 7}}) {
    cases.push_back({.op = op,
                     .name = std::string(op_name(op)) + "_" + std::to_string(s.num_elements()) + "_r" +
                             std::to_string(s.rank()),
                     .inputs = {{.shape = s, .values = values}},
                     .run = [fn](const std::vector<Tensor>& in) { return fn(in[0]); },
                     .reference = [ref](const std::vector<Tensor>& in) { return naive_map(in[0], ref); }});
  }
}

void add_compare(std::vector<OpCase>& cases, OpId op, Tensor (*fn)(const Tensor&, const Tensor&),
                 bool (*ref)(float, float)) {
  // Rounded values make equality cases actually occur.
  auto rounded = [](const Tensor& t) { return cast(cast(t * 2.f, DType::kInt32), DType::kFloat32); };
  for (const ShapePair& p : kShapePairs) {
    cases.push_back(
        {.op = op,
         .name = std::string(op_name(op)) + "_" + p.label,
         .inputs = {{.shape = p.a}, {.shape = p.b}},
         .run = [fn, rounded](const std::vector<Tensor>& in) { return fn(rounded(in[0]), rounded(in[1])); },
         .reference = [ref, rounded](const std::vector<Tensor>& in) {
           return naive_broadcast_compare(rounded(in[0]), rounded(in[1]), ref);
         }});
  }
}

}  // namespace

std::vector<OpCase> math_cases() {
  std::vector<OpCase> c;
  const Values N = Values::kNormal, P = Values::kPositive, A = Values::kAwayFromZero;
  add_binary(c, OpId::k_add, add, [](float a, float b) { return a + b; }, N, N);
  add_binary(c, OpId::k_sub, sub, [](float a, float b) { return a - b; }, N, N);
  add_binary(c, OpId::k_mul, mul, [](float a, float b) { return a * b; }, N, N);
  add_binary(c, OpId::k_div, div, [](float a, float b) { return a / b; }, N, P);
  add_binary(c, OpId::k_pow, pow, [](float a, float b) { return std::pow(a, b); }, P, N);
  // Two interleaved grids keep maximum/minimum 0.025 away from ties, where the derivative jumps.
  const Values D = Values::kDistinct, H = Values::kDistinctHalfStep;
  add_binary(c, OpId::k_maximum, maximum, [](float a, float b) { return a > b ? a : b; }, D, H);
  add_binary(c, OpId::k_minimum, minimum, [](float a, float b) { return a < b ? a : b; }, D, H);

  add_unary(c, OpId::k_neg, neg, [](float x) { return -x; }, N);
  add_unary(c, OpId::k_exp, exp, [](float x) { return std::exp(x); }, N);
  add_unary(c, OpId::k_log, log, [](float x) { return std::log(x); }, P);
  add_unary(c, OpId::k_sqrt, sqrt, [](float x) { return std::sqrt(x); }, P);
  add_unary(c, OpId::k_square, square, [](float x) { return x * x; }, N);
  add_unary(c, OpId::k_relu, nn::relu, [](float x) { return x > 0 ? x : 0.f; }, A);
  add_unary(c, OpId::k_sigmoid, sigmoid, [](float x) { return 1.f / (1.f + std::exp(-x)); }, N);
  add_unary(c, OpId::k_tanh, tanh, [](float x) { return std::tanh(x); }, N);

  add_compare(c, OpId::k_equal, equal, [](float a, float b) { return a == b; });
  add_compare(c, OpId::k_not_equal, not_equal, [](float a, float b) { return a != b; });
  add_compare(c, OpId::k_less, less, [](float a, float b) { return a < b; });
  add_compare(c, OpId::k_less_equal, less_equal, [](float a, float b) { return a <= b; });
  add_compare(c, OpId::k_greater, greater, [](float a, float b) { return a > b; });
  add_compare(c, OpId::k_greater_equal, greater_equal, [](float a, float b) { return a >= b; });

  // cast: float -> int truncates toward zero; int -> float is exact; the round trip is checked.
  c.push_back({.op = OpId::k_cast,
               .name = "cast_float_int32_float",
               .inputs = {{.shape = {6, 11}}},
               .run = [](const std::vector<Tensor>& in) { return cast(cast(in[0] * 3.f, DType::kInt32), DType::kFloat32); },
               .reference = [](const std::vector<Tensor>& in) {
                 return naive_map(in[0], [](float x) { return std::trunc(x * 3.f); });
               }});
  c.push_back({.op = OpId::k_cast,
               .name = "cast_float_bool_uint8_int64",
               .inputs = {{.shape = {1, 9}, .values = A}},
               .run = [](const std::vector<Tensor>& in) {
                 const Tensor positive = cast(nn::relu(in[0]), DType::kBool);
                 return cast(cast(cast(positive, DType::kUInt8), DType::kInt64), DType::kFloat32);
               },
               .reference = [](const std::vector<Tensor>& in) {
                 return naive_map(in[0], [](float x) { return x > 0 ? 1.f : 0.f; });
               }});
  return c;
}

}  // namespace tapeflow::testing
