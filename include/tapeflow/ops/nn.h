#pragma once
// Neural-network ops, as tf.nn. Images are NHWC and conv filters HWIO (TF's and Keras's defaults).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "tapeflow/tensor.h"

namespace tapeflow::nn {

enum class Padding { kValid, kSame };
// Accepts "same"/"SAME"/"valid"/"VALID"; anything else is an Error naming what was found.
Padding parse_padding(std::string_view padding);

Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softmax(const Tensor& logits, int axis = -1);
Tensor log_softmax(const Tensor& logits, int axis = -1);

// Per-example loss -log softmax(logits)[label], computed stably in one pass; labels int32/int64 of
// shape logits.shape[:-1]. Differentiable with respect to logits.
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);

// input [N, H, W, C], filters [KH, KW, C, O] -> [N, OH, OW, O]. TF's `same` rule: OH = ceil(H / stride),
// padding split with the smaller half before.
Tensor conv2d(const Tensor& input, const Tensor& filters, std::array<int, 2> strides, Padding padding,
              std::array<int, 2> dilations = {1, 1});
// relu(conv2d(input, filters) + bias), bias [O]: a conv layer's forward. On the CPU one op: the bias and the ReLU
// are applied as the conv writes its output, and its backward masks and sums the gradient in one pass before the
// conv's two backward products. On CUDA those three ops, each recorded.
Tensor conv2d_bias_relu(const Tensor& input, const Tensor& filters, const Tensor& bias, std::array<int, 2> strides,
                        Padding padding, std::array<int, 2> dilations = {1, 1});
Tensor max_pool2d(const Tensor& input, std::array<int, 2> ksize, std::array<int, 2> strides, Padding padding);
// Averages over the window's elements inside the input (padding excluded), as TF.
Tensor avg_pool2d(const Tensor& input, std::array<int, 2> ksize, std::array<int, 2> strides, Padding padding);

// Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate) when training;
// the identity otherwise. With a seed the mask is a function of the seed alone.
Tensor dropout(const Tensor& x, float rate, bool training = true, std::optional<uint64_t> seed = {});

// The LSTM cell's pointwise part in one fused op: from the gate pre-activations `gates` = x W + h U + b
// ([batch, 4 units], Keras's order i, f, c~, o) and the cell state `c` ([batch, units]), with sigmoid
// gates and tanh: c' = f c + i c~, h' = o tanh(c'). Returns {h', c'}.
std::pair<Tensor, Tensor> lstm_cell(const Tensor& gates, const Tensor& c);

struct LstmSequenceOutputs {
  Tensor outputs;  // [time, batch, units]: h of every step
  Tensor h;        // [batch, units]: the last step's h (the same values as outputs[time - 1])
  Tensor c;        // [batch, units]: the last step's cell state
};

// An LSTM with Keras's gates (sigmoid; tanh) over a whole sequence in one op, as cuDNN's RNN (TF's
// CudnnRNN, PyTorch's _VF.lstm), time-major: from x_gates [time >= 1, batch, 4 units] (each step's input
// terms x_t W + b, gate order i, f, c~, o), recurrent_kernel U [units, 4 units] and the initial state
// h0, c0 [batch, units], step t computes
//   z_t = x_gates[t] + h_{t-1} U,  {h_t, c_t} = lstm_cell(z_t, c_{t-1}).
// One GEMM and one fused pointwise kernel per step. The backward runs backpropagation through time inside
// the op: per step one GEMM for dh and the fused cell backward, then dU as one GEMM over all steps;
// d x_gates is the gates' gradient itself (so x W + b for all steps is best computed as one GEMM, or for
// one-hot inputs as a gather of W's rows).
LstmSequenceOutputs lstm_sequence(const Tensor& x_gates, const Tensor& recurrent_kernel, const Tensor& h0,
                                  const Tensor& c0);

// Output size of one spatial dim under TF's padding rules, and the padding placed before it.
int64_t conv_output_size(int64_t input, int64_t window, int stride, int dilation, Padding padding);
int64_t conv_padding_before(int64_t input, int64_t window, int stride, int dilation, Padding padding);

}  // namespace tapeflow::nn
