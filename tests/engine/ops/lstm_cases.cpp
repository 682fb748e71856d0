// Op-table rows for lstm_cell (engine/ops/lstm.cpp): the fused gates and state update against the
// eleven-op formula written out in double, both outputs checked (h' and c' side by side).
#include <cmath>

#include "ops/op_case.h"

namespace tapeflow::testing {

namespace {

using Inputs = std::vector<Tensor>;

Tensor naive_lstm_cell(const Tensor& gates, const Tensor& c) {
  const int64_t batch = c.shape()[0], u = c.shape()[1];
  const std::vector<float> z = gates.numpy<float>(), cs = c.numpy<float>();
  const auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  std::vector<float> out(static_cast<size_t>(batch * 2 * u));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < u; ++j) {
      const size_t row = static_cast<size_t>(b * 4 * u);
      const double i = sigmoid(z[row + j]), f = sigmoid(z[row + u + j]), g = std::tanh(z[row + 2 * u + j]),
                   o = sigmoid(z[row + 3 * u + j]);
      const double c_next = f * cs[static_cast<size_t>(b * u + j)] + i * g;
      out[static_cast<size_t>(b * 2 * u + j)] = static_cast<float>(o * std::tanh(c_next));
      out[static_cast<size_t>(b * 2 * u + u + j)] = static_cast<float>(c_next);
    }
  return constant(out, {batch, 2 * u});
}

void add_lstm_cell(std::vector<OpCase>& cases, int64_t batch, int64_t units) {
  cases.push_back({.op = OpId::k_lstm_cell,
                   .name = "lstm_cell_" + std::to_string(batch) + "x" + std::to_string(units),
                   .inputs = {{.shape = {batch, 4 * units}}, {.shape = {batch, units}}},
                   .run = [](const Inputs& in) {
                     const auto [h, c] = nn::lstm_cell(in[0], in[1]);
                     return concat({h, c}, 1);
                   },
                   .reference = [](const Inputs& in) { return naive_lstm_cell(in[0], in[1]); }});
}

}  // namespace

std::vector<OpCase> lstm_cases() {
  std::vector<OpCase> c;
  add_lstm_cell(c, 1, 1);
  add_lstm_cell(c, 3, 5);
  add_lstm_cell(c, 2, 33);
  return c;
}

}  // namespace tapeflow::testing
