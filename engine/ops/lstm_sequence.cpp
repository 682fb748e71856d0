// lstm_sequence (tapeflow/ops/nn.h): the LSTM over a whole sequence in one op. Per step one GEMM writes
// h U into the step's slot of z, and the fused cell (kernels/lstm.h) adds x_gates and updates the state.
// The backward walks the steps in reverse with a GEMM by U^T (transposed once) and the fused cell's gradient, and
// finishes with dU as one GEMM over all steps, [units, time * batch] x [time * batch, 4 units], instead of a small
// GEMM per step.
#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/memory/device_memory.h"
#include "engine/numerics_check.h"
#include "engine/tensor_internal.h"
#include "kernels/lstm.h"
#include "kernels/matmul.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/linalg.h"
#include "tapeflow/ops/nn.h"
#include "tapeflow/profiler.h"
#include "tapeflow/runtime.h"

namespace tapeflow::nn {

namespace {

// out [batch, n] = a [batch, k] b [k, n]: b is U [units, 4 units] forward and U^T backward, one GEMM per step.
// (A micro-kernel over U packed once per pass ran the char-RNN no faster than dnnl_sgemm, 1.02x end to end.)
void times(const float* a, const Tensor& b, int64_t batch, float* out) {
  const int64_t k = b.shape()[0], n = b.shape()[1];
  switch (b.device().type) {
    case DeviceType::kCPU:
      kernels::cpu::matmul(false, false, 1, batch, n, k, a, 0, b.data<float>(), 0, out);
      return;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::matmul(b.device().index, false, false, 1, batch, n, k, a, 0, b.data<float>(), 0, out,
                            {cuda_matmul() == CudaMatmul::kTiled ? kernels::cuda::Gemm::kTiled
                                                                 : kernels::cuda::Gemm::kCublas,
                             tensor_float32_execution_enabled()});
      return;
#endif
      detail::throw_no_cuda_kernel("lstm_sequence");
  }
}

// The fused pointwise kernels on the tensors' device; every pointer is into that device's memory.
struct StepKernels {
  Device device;
  kernels::LstmShape shape;

  void forward(const float* x_gates, float* z, const float* c, float* h_next, float* c_next) const {
    switch (device.type) {
      case DeviceType::kCPU:
        kernels::cpu::lstm_step_forward(x_gates, z, c, h_next, c_next, shape);
        return;
      case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
        kernels::cuda::lstm_step_forward(device.index, x_gates, z, c, h_next, c_next, shape);
        return;
#endif
        detail::throw_no_cuda_kernel("lstm_sequence");
    }
  }

  void backward(const float* z, const float* c, const float* dh_next, const float* dh_recurrent,
                const float* dc_next, float* dz, float* dc) const {
    switch (device.type) {
      case DeviceType::kCPU:
        kernels::cpu::lstm_cell_backward(z, c, dh_next, dh_recurrent, dc_next, dz, dc, shape);
        return;
      case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
        kernels::cuda::lstm_cell_backward(device.index, z, c, dh_next, dh_recurrent, dc_next, dz, dc, shape);
        return;
#endif
        detail::throw_no_cuda_kernel("lstm_sequence backward");
    }
  }
};

// What the forward keeps: z [time, batch, 4u] (every step's pre-activations), hs and cs [time + 1, batch, u]
// (h0, c0 then every step's state).
struct SavedSequence {
  Tensor z, hs, cs, recurrent_kernel;
};

// Gradients for {x_gates, recurrent_kernel, h0, c0} from those of {outputs, h, c}.
std::vector<Tensor> lstm_sequence_backward(const StepKernels& k, const SavedSequence& saved,
                                           const std::vector<Tensor>& g, const std::vector<bool>& needs) {
  autodiff::require_first_order(OpId::k_lstm_sequence, {&g[0], &g[1], &g[2]});
  const int64_t steps = saved.z.shape()[0], state = k.shape.batch * k.shape.units, gates = 4 * state;
  const Shape state_shape{k.shape.batch, k.shape.units};
  Tensor dz = Tensor::empty(saved.z.shape(), DType::kFloat32, k.device);
  Tensor dh_recurrent = Tensor::empty(state_shape, DType::kFloat32, k.device);
  Tensor dc = Tensor::empty(state_shape, DType::kFloat32, k.device);
  // U^T once, so that each step's dh_{t-1} = dz_t U^T is a plain product: dnnl_sgemm's [50, 1024] x [1024, 256]
  // reading U transposed ('N', 'T') runs at 60-80% of its speed with U^T stored ('N', 'N'; bench/results/NOTES.md).
  const Tensor recurrent_kernel_t = steps > 1 || needs[2] ? transpose(saved.recurrent_kernel) : Tensor();
  // The last h's gradient joins the last step's like a recurrent one; dc is updated in place step by step.
  const float* dh_carry = g[1].data<float>();
  const float* dc_next = g[2].data<float>();
  for (int64_t t = steps - 1; t >= 0; --t) {
    float* dz_t = dz.data<float>() + t * gates;
    k.backward(saved.z.data<float>() + t * gates, saved.cs.data<float>() + t * state, g[0].data<float>() + t * state,
               dh_carry, dc_next, dz_t, dc.data<float>());
    dc_next = dc.data<float>();
    if (t > 0 || needs[2]) {  // dh_{t-1} = dz_t U^T (for t = 0: the gradient of h0)
      times(dz_t, recurrent_kernel_t, k.shape.batch, dh_recurrent.data<float>());
      dh_carry = dh_recurrent.data<float>();
    }
  }
  std::vector<Tensor> grads(4);
  if (needs[0]) grads[0] = dz;
  if (needs[1]) {
    const Tensor h_before = detail::view(detail::rows(saved.hs, 0, steps), {steps * k.shape.batch, k.shape.units});
    grads[1] = matmul(h_before, detail::view(dz, {steps * k.shape.batch, 4 * k.shape.units}), /*transpose_a=*/true);
  }
  if (needs[2]) grads[2] = dh_recurrent;
  if (needs[3]) grads[3] = dc;
  return grads;
}

void check_inputs(const Tensor& x_gates, const Tensor& recurrent_kernel, const Tensor& h0, const Tensor& c0) {
  const std::pair<const Tensor*, const char*> inputs[] = {
      {&x_gates, "x_gates"}, {&recurrent_kernel, "recurrent_kernel"}, {&h0, "h0"}, {&c0, "c0"}};
  for (const auto& [t, what] : inputs) {
    detail::check_dtype("lstm_sequence", *t, DType::kFloat32, what);
    detail::check_same_device("lstm_sequence", x_gates, *t);
  }
  TAPEFLOW_CHECK(h0.rank() == 2 && c0.shape() == h0.shape(),
                 "lstm_sequence: expected h0 and c0 of one shape [batch, units], found h0 {} and c0 {}", h0.shape(),
                 c0.shape());
  const int64_t batch = h0.shape()[0], units = h0.shape()[1];
  TAPEFLOW_CHECK(recurrent_kernel.shape() == Shape({units, 4 * units}),
                 "lstm_sequence: expected recurrent_kernel [{}, {}] for a state of {} units, found {}", units,
                 4 * units, units, recurrent_kernel.shape());
  TAPEFLOW_CHECK(x_gates.rank() == 3 && x_gates.shape()[0] >= 1 && x_gates.shape()[1] == batch &&
                     x_gates.shape()[2] == 4 * units,
                 "lstm_sequence: expected x_gates [time >= 1, {}, {}] (time-major, batch {} and 4 x {} units as "
                 "h0), found {}",
                 batch, 4 * units, batch, units, x_gates.shape());
}

}  // namespace

LstmSequenceOutputs lstm_sequence(const Tensor& x_gates, const Tensor& recurrent_kernel, const Tensor& h0,
                                  const Tensor& c0) {
  const profiler::Scope trace("op", op_name(OpId::k_lstm_sequence), x_gates);
  check_inputs(x_gates, recurrent_kernel, h0, c0);
  const Device device = x_gates.device();
  const int64_t steps = x_gates.shape()[0], batch = h0.shape()[0], units = h0.shape()[1];
  const int64_t state = batch * units, gates = 4 * state;
  const StepKernels k{device, {batch, units}};
  const bool record = autodiff::should_record({&x_gates, &recurrent_kernel, &h0, &c0});

  SavedSequence saved{.z = Tensor::empty({record ? steps : 1, batch, 4 * units}, DType::kFloat32, device),
                      .hs = Tensor::empty({steps + 1, batch, units}, DType::kFloat32, device),
                      .cs = Tensor::empty({steps + 1, batch, units}, DType::kFloat32, device),
                      .recurrent_kernel = recurrent_kernel};
  memory::copy(device, saved.hs.data<float>(), device, h0.data<float>(), h0.nbytes());
  memory::copy(device, saved.cs.data<float>(), device, c0.data<float>(), c0.nbytes());
  float* hs = saved.hs.data<float>();
  float* cs = saved.cs.data<float>();
  for (int64_t t = 0; t < steps; ++t) {
    float* z_t = saved.z.data<float>() + (record ? t * gates : 0);  // without a tape, one step's slot is reused
    times(hs + t * state, recurrent_kernel, batch, z_t);
    k.forward(x_gates.data<float>() + t * gates, z_t, cs + t * state, hs + (t + 1) * state, cs + (t + 1) * state);
  }

  LstmSequenceOutputs out{.outputs = detail::rows(saved.hs, 1, steps),
                          .h = detail::view(detail::rows(saved.hs, steps, 1), {batch, units}),
                          .c = detail::view(detail::rows(saved.cs, steps, 1), {batch, units})};
  if (record) {
    autodiff::record(OpId::k_lstm_sequence, {x_gates, recurrent_kernel, h0, c0}, {out.outputs, out.h, out.c},
                     [k, saved](const std::vector<Tensor>& g, const std::vector<bool>& needs) {
                       return lstm_sequence_backward(k, saved, g, needs);
                     });
  }
  debugging::detail::checked(OpId::k_lstm_sequence, out.outputs, 0);
  debugging::detail::checked(OpId::k_lstm_sequence, out.h, 1);
  debugging::detail::checked(OpId::k_lstm_sequence, out.c, 2);
  return out;
}

}  // namespace tapeflow::nn
