#pragma once
// The LSTM cell's pointwise part, fused: from the gate pre-activations z = x W + h U + b ([batch, 4u],
// Keras's gate order i, f, c~, o) and the cell state c ([batch, u]):
//   i = sigmoid(z_i), f = sigmoid(z_f), g = tanh(z_c), o = sigmoid(z_o)
//   c' = f c + i g,  h' = o tanh(c')
// in one pass instead of eleven ops; the backward recomputes the gates from z (nothing else is kept).
// The whole-sequence op (nn::lstm_sequence) runs the step variants between its GEMMs.
#include <cstdint>

namespace tapeflow::kernels {

struct LstmShape {
  int64_t batch, units;
};

namespace cpu {

void lstm_cell_forward(const float* z, const float* c, float* h_next, float* c_next, LstmShape s);
// One step of a sequence: z holds h U on entry and x_gates (x W + b) is added into it in place, so that
// z leaves as the step's pre-activations; then as lstm_cell_forward.
void lstm_step_forward(const float* x_gates, float* z, const float* c, float* h_next, float* c_next, LstmShape s);
// From the output gradients, dh' = dh_next + dh_recurrent and dc' = dc_next (any may be null: zero):
// dz [batch, 4u] and dc [batch, u]. dc may be the same buffer as dc_next.
void lstm_cell_backward(const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                        const float* dc_next, float* dz, float* dc, LstmShape s);

}  // namespace cpu

// The same on CUDA device `device`, queued on its compute stream.
namespace cuda {

void lstm_cell_forward(int device, const float* z, const float* c, float* h_next, float* c_next, LstmShape s);
void lstm_step_forward(int device, const float* x_gates, float* z, const float* c, float* h_next, float* c_next,
                       LstmShape s);
void lstm_cell_backward(int device, const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                        const float* dc_next, float* dz, float* dc, LstmShape s);

}  // namespace cuda
}  // namespace tapeflow::kernels
