#pragma once
// LSTMCell and LSTM with Keras's weights and gate order (i, f, c, o).
#include <string>
#include <utility>
#include <vector>

#include "tapeflow/keras/activations.h"
#include "tapeflow/keras/initializers.h"
#include "tapeflow/keras/layer.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

struct LSTMCellOptions {
  int64_t units = 0;
  activations::Activation activation = "tanh";
  activations::Activation recurrent_activation = "sigmoid";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer recurrent_initializer = "orthogonal";
  initializers::Initializer bias_initializer = "zeros";
  bool unit_forget_bias = true;  // the forget gate's bias starts at 1
  std::string name;
};

// One step: z = x kernel [in, 4u] + h recurrent_kernel [u, 4u] + bias [4u], split into gates i, f, c, o;
// c' = f c + i activation(c~); h' = o activation(c'). The state is {h, c}.
class LSTMCell : public Layer {
 public:
  explicit LSTMCell(LSTMCellOptions options);
  void build(const Shape& input_shape) override;

  // Zeros h and c of shape [batch_size, units], as Keras's get_initial_state.
  std::vector<Tensor> get_initial_state(int64_t batch_size) const;
  // (output, new_state) from x_t [batch, features] and state {h, c}, as the notes use the cell.
  // Tracks and builds like Layer::operator() (the cell has no single-input call).
  std::pair<Tensor, std::vector<Tensor>> operator()(const Tensor& x_t, const std::vector<Tensor>& state);
  // The cell stepped over a whole sequence from the zero state, as LSTM does: x_gates
  // [time, batch, 4 units] holds the inputs' terms x_t kernel() + bias() for all steps, time-major. With
  // Keras's default activations one fused op (nn::lstm_sequence), else step by step. The cell must be
  // built (its owner builds and tracks it).
  nn::LstmSequenceOutputs over_sequence(const Tensor& x_gates);

  int64_t units() const { return options_.units; }
  const Variable& kernel() const { return kernel_; }
  const Variable& recurrent_kernel() const { return recurrent_kernel_; }
  const Variable& bias() const { return bias_; }  // undefined without use_bias
  bool uses_bias() const { return options_.use_bias; }

 private:
  bool has_fused_activations() const;
  // {h', c'} from the pre-activations z [batch, 4 units] and c.
  std::pair<Tensor, Tensor> step(const Tensor& z, const Tensor& c) const;

  LSTMCellOptions options_;
  Variable kernel_;
  Variable recurrent_kernel_;
  Variable bias_;
};

struct LSTMOptions {
  int64_t units = 0;
  bool return_sequences = false;
  std::string name;
};

// Runs an LSTMCell over inputs [batch, time, features]; returns the last output [batch, units], or all
// outputs [batch, time, units] with return_sequences. The inputs' projections for all steps are one GEMM,
// the recurrence one op (LSTMCell::over_sequence).
class LSTM : public Layer {
 public:
  explicit LSTM(LSTMOptions options);
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  const LSTMCell& cell() const { return cell_; }

 private:
  LSTMOptions options_;
  LSTMCell cell_;
};

}  // namespace tapeflow::layers
