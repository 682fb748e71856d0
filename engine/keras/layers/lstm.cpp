#include "tapeflow/keras/layers/lstm.h"

#include <fmt/format.h>

#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/linalg.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

namespace {
// Keras's unit_forget_bias: the bias initializer for gates i, c, o, and ones for the forget gate f.
initializers::Initializer with_unit_forget_bias(initializers::Initializer base, int64_t units) {
  return initializers::Initializer(
      [base, units](const Shape&) { return concat({base(Shape{units}), ones({units}), base(Shape{2 * units})}, 0); },
      "unit_forget_bias");
}
}  // namespace

LSTMCell::LSTMCell(LSTMCellOptions options) : Layer("LSTMCell", options.name), options_(std::move(options)) {
  if (options_.units <= 0) fail(fmt::format("expected units > 0, found {}", options_.units));
}

void LSTMCell::build(const Shape& input_shape) {
  if (input_shape.rank() != 2)
    fail(fmt::format("expected inputs [batch, features], found shape {}", input_shape.to_string()));
  const int64_t u = options_.units;
  kernel_ = add_weight("kernel", {input_shape[1], 4 * u}, options_.kernel_initializer);
  recurrent_kernel_ = add_weight("recurrent_kernel", {u, 4 * u}, options_.recurrent_initializer);
  if (options_.use_bias) {
    const initializers::Initializer& base = options_.bias_initializer;
    bias_ = add_weight("bias", {4 * u}, options_.unit_forget_bias ? with_unit_forget_bias(base, u) : base);
  }
  mark_built();
}

std::vector<Tensor> LSTMCell::get_initial_state(int64_t batch_size) const {
  return {zeros({batch_size, options_.units}), zeros({batch_size, options_.units})};
}

std::pair<Tensor, std::vector<Tensor>> LSTMCell::operator()(const Tensor& x_t, const std::vector<Tensor>& state) {
  prepare_call(x_t);
  const int64_t u = options_.units;
  if (x_t.rank() != 2 || x_t.shape()[1] != kernel_.shape()[0])
    fail(fmt::format("expected inputs [batch, {}], found {}", kernel_.shape()[0], x_t.shape().to_string()));
  if (state.size() != 2) fail(fmt::format("expected the state {{h, c}}, found {} tensors", state.size()));
  const int64_t batch = x_t.shape()[0];
  for (const Tensor& s : state)
    if (s.shape() != Shape{batch, u})
      fail(fmt::format("expected state tensors [{}, {}], found {}", batch, u, s.shape().to_string()));
  const Tensor& h = state[0];
  const Tensor& c = state[1];
  Tensor z = matmul(x_t, kernel_) + matmul(h, recurrent_kernel_);
  if (options_.use_bias) z = z + bias_;
  if (options_.recurrent_activation.name() == "sigmoid" && options_.activation.name() == "tanh") {
    const auto [h_next, c_next] = nn::lstm_cell(z, c);  // Keras's defaults: the fused kernel
    record_output_shape(h_next.shape());
    return {h_next, std::vector<Tensor>{h_next, c_next}};
  }
  auto gate = [&](int64_t k) { return slice(z, {0, k * u}, {batch, u}); };
  const Tensor i = options_.recurrent_activation(gate(0));
  const Tensor f = options_.recurrent_activation(gate(1));
  const Tensor candidate = options_.activation(gate(2));
  const Tensor o = options_.recurrent_activation(gate(3));
  const Tensor c_next = f * c + i * candidate;
  const Tensor h_next = o * options_.activation(c_next);
  record_output_shape(h_next.shape());
  return {h_next, {h_next, c_next}};
}

LSTM::LSTM(LSTMOptions options)
    : Layer("LSTM", options.name), options_(std::move(options)), cell_({.units = options_.units}) {}

void LSTM::build(const Shape& input_shape) {
  if (input_shape.rank() != 3 || input_shape[1] == 0)
    fail(fmt::format("expected inputs [batch, time >= 1, features], found shape {}", input_shape.to_string()));
  track(cell_);  // before building, so the weights are named lstm/lstm_cell/...
  cell_.build({input_shape[0], input_shape[2]});
  mark_built();
}

Tensor LSTM::call(const Tensor& inputs, bool) {
  if (inputs.rank() != 3 || inputs.shape()[1] == 0)
    fail(fmt::format("expected inputs [batch, time >= 1, features], found shape {}", inputs.shape().to_string()));
  const int64_t batch = inputs.shape()[0], steps = inputs.shape()[1], features = inputs.shape()[2];
  std::vector<Tensor> state = cell_.get_initial_state(batch);
  std::vector<Tensor> outputs;
  Tensor output;
  for (int64_t t = 0; t < steps; ++t) {
    const Tensor x_t = reshape(slice(inputs, {0, t, 0}, {batch, 1, features}), {batch, features});
    std::tie(output, state) = cell_(x_t, state);
    if (options_.return_sequences) outputs.push_back(output);
  }
  return options_.return_sequences ? stack(outputs, 1) : output;
}

}  // namespace tapeflow::layers
