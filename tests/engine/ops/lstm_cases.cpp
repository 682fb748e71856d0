// Op-table rows for lstm_cell and lstm_sequence (engine/ops/lstm.cpp, lstm_sequence.cpp): the fused gates
// and state update against the eleven-op formula written out in double, every output checked (h' and c'
// side by side; for a sequence all h, the last h and the last c).
#include <cmath>

#include "ops/op_case.h"

namespace tapeflow::testing {

namespace {

using Inputs = std::vector<Tensor>;

// One unit j of one example: from its row z of 4u pre-activations and c, {h', c'}.
std::pair<double, double> naive_cell(const float* z, int64_t u, int64_t j, double c) {
  const auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  const double i = sigmoid(z[j]), f = sigmoid(z[u + j]), g = std::tanh(z[2 * u + j]), o = sigmoid(z[3 * u + j]);
  const double c_next = f * c + i * g;
  return {o * std::tanh(c_next), c_next};
}

Tensor naive_lstm_cell(const Tensor& gates, const Tensor& c) {
  const int64_t batch = c.shape()[0], u = c.shape()[1];
  const std::vector<float> z = gates.numpy<float>(), cs = c.numpy<float>();
  std::vector<float> out(static_cast<size_t>(batch * 2 * u));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < u; ++j) {
      const auto [h_next, c_next] = naive_cell(&z[static_cast<size_t>(b * 4 * u)], u, j, cs[b * u + j]);
      out[static_cast<size_t>(b * 2 * u + j)] = static_cast<float>(h_next);
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

// The recurrence step by step in double: rows [time * batch] of all h, then the last h, then the last c.
Tensor naive_lstm_sequence(const Inputs& in) {
  const int64_t steps = in[0].shape()[0], batch = in[2].shape()[0], u = in[2].shape()[1];
  const std::vector<float> x = in[0].numpy<float>(), r = in[1].numpy<float>();
  const std::vector<float> h0 = in[2].numpy<float>(), c0 = in[3].numpy<float>();
  std::vector<double> h(h0.begin(), h0.end()), c(c0.begin(), c0.end());
  std::vector<float> out;
  std::vector<float> z(static_cast<size_t>(4 * u));
  for (int64_t t = 0; t < steps; ++t) {
    std::vector<double> h_next(h.size()), c_next(c.size());
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t k = 0; k < 4 * u; ++k) {
        double sum = x[static_cast<size_t>((t * batch + b) * 4 * u + k)];
        for (int64_t j = 0; j < u; ++j) sum += h[b * u + j] * r[static_cast<size_t>(j * 4 * u + k)];
        z[k] = static_cast<float>(sum);
      }
      for (int64_t j = 0; j < u; ++j)
        std::tie(h_next[b * u + j], c_next[b * u + j]) = naive_cell(z.data(), u, j, c[b * u + j]);
    }
    h = h_next;
    c = c_next;
    out.insert(out.end(), h.begin(), h.end());
  }
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), c.begin(), c.end());
  return constant(out, {(steps + 2) * batch, u});
}

void add_lstm_sequence(std::vector<OpCase>& cases, int64_t steps, int64_t batch, int64_t units) {
  cases.push_back({.op = OpId::k_lstm_sequence,
                   .name = "lstm_sequence_" + std::to_string(steps) + "x" + std::to_string(batch) + "x" +
                           std::to_string(units),
                   .inputs = {{.shape = {steps, batch, 4 * units}},
                              {.shape = {units, 4 * units}},
                              {.shape = {batch, units}},
                              {.shape = {batch, units}}},
                   .run = [](const Inputs& in) {
                     const nn::LstmSequenceOutputs out = nn::lstm_sequence(in[0], in[1], in[2], in[3]);
                     const Shape& s = out.outputs.shape();
                     return concat({reshape(out.outputs, {s[0] * s[1], s[2]}), out.h, out.c}, 0);
                   },
                   .reference = naive_lstm_sequence});
}

}  // namespace

std::vector<OpCase> lstm_cases() {
  std::vector<OpCase> c;
  add_lstm_cell(c, 1, 1);
  add_lstm_cell(c, 3, 5);
  add_lstm_cell(c, 2, 33);
  add_lstm_sequence(c, 1, 1, 1);
  add_lstm_sequence(c, 4, 3, 5);
  add_lstm_sequence(c, 3, 2, 33);
  add_lstm_sequence(c, 2, 0, 3);  // an empty batch
  return c;
}

}  // namespace tapeflow::testing
