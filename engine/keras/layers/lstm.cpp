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
  Tensor z = matmul(x_t, kernel_) + matmul(state[0], recurrent_kernel_);
  if (options_.use_bias) z = z + bias_;
  const auto [h_next, c_next] = step(z, state[1]);
  record_output_shape(h_next.shape());
  return {h_next, {h_next, c_next}};
}

nn::LstmSequenceOutputs LSTMCell::over_sequence(const Tensor& x_gates) {
  if (!built()) fail("over_sequence needs a built cell: build it for inputs [batch, features] first");
  const int64_t u = options_.units;
  if (x_gates.rank() != 3 || x_gates.shape()[0] == 0 || x_gates.shape()[2] != 4 * u)
    fail(fmt::format("expected the inputs' gate terms [time >= 1, batch, {}], found {}", 4 * u,
                     x_gates.shape().to_string()));
  const int64_t steps = x_gates.shape()[0], batch = x_gates.shape()[1];
  const Tensor zero_state = zeros({batch, u}, DType::kFloat32, x_gates.device());
  nn::LstmSequenceOutputs out;
  if (has_fused_activations()) {
    out = nn::lstm_sequence(x_gates, recurrent_kernel_, zero_state, zero_state);
  } else {
    std::vector<Tensor> outputs;
    out.h = out.c = zero_state;
    for (int64_t t = 0; t < steps; ++t) {
      const Tensor z = reshape(slice(x_gates, {t, 0, 0}, {1, batch, 4 * u}), {batch, 4 * u}) +
                       matmul(out.h, recurrent_kernel_);
      std::tie(out.h, out.c) = step(z, out.c);
      outputs.push_back(out.h);
    }
    out.outputs = stack(outputs, 0);
  }
  record_output_shape(out.h.shape());
  return out;
}

bool LSTMCell::has_fused_activations() const {
  return options_.recurrent_activation.name() == "sigmoid" && options_.activation.name() == "tanh";
}

std::pair<Tensor, Tensor> LSTMCell::step(const Tensor& z, const Tensor& c) const {
  if (has_fused_activations()) return nn::lstm_cell(z, c);  // Keras's defaults: the fused kernel
  const int64_t batch = z.shape()[0], u = options_.units;
  auto gate = [&](int64_t k) { return slice(z, {0, k * u}, {batch, u}); };
  const Tensor i = options_.recurrent_activation(gate(0));
  const Tensor f = options_.recurrent_activation(gate(1));
  const Tensor candidate = options_.activation(gate(2));
  const Tensor o = options_.recurrent_activation(gate(3));
  const Tensor c_next = f * c + i * candidate;
  return {o * options_.activation(c_next), c_next};
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
  const Variable& kernel = cell_.kernel();
  if (features != kernel.shape()[0])
    fail(fmt::format("expected inputs [batch, time, {}] (as built), found {}", kernel.shape()[0],
                     inputs.shape().to_string()));
  // x_t kernel for all steps as one GEMM, on time-major rows as nn::lstm_sequence takes them.
  const Tensor x = reshape(transpose(inputs, {1, 0, 2}), {steps * batch, features});
  Tensor x_gates = reshape(matmul(x, kernel), {steps, batch, kernel.shape()[1]});
  if (cell_.uses_bias()) x_gates = x_gates + cell_.bias();
  const nn::LstmSequenceOutputs out = cell_.over_sequence(x_gates);
  return options_.return_sequences ? transpose(out.outputs, {1, 0, 2}) : out.h;
}

}  // namespace tapeflow::layers
