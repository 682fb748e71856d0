#pragma once
// The softmax family along the middle dim of x [outer, n, inner] (inner == 1 for the last axis), and
// the fused sparse softmax cross-entropy over rows of logits [rows, n]. CPU: kernels/cpu/softmax.cpp,
// CUDA: kernels/cuda/softmax.cu.
#include <cstdint>

namespace tapeflow::kernels {
namespace cpu {

// y = softmax(x) (log_softmax when `log`) along n, stably (the max is subtracted first).
void softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log);
// From the output y: dx = y * (dy - sum(dy * y)) for softmax, dx = dy - exp(y) * sum(dy) for log_softmax.
void softmax_backward(const float* y, const float* dy, float* dx, int64_t outer, int64_t n, int64_t inner, bool log);
// One pass per row: loss[r] = logsumexp(logits[r]) - logits[r, labels[r]] and, when grad is non-null,
// grad[r] = softmax(logits[r]) - onehot(labels[r]). Returns the first row whose label is outside [0, n)
// (writing nothing), or -1.
int64_t softmax_xent(const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows, int64_t n);

}  // namespace cpu

// The same on CUDA device `device`, queued on its compute stream.
namespace cuda {

void softmax(int device, const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log);
void softmax_backward(int device, const float* y, const float* dy, float* dx, int64_t outer, int64_t n, int64_t inner,
                      bool log);
// As the CPU's, except that rows with a bad label get a NaN loss and a zero gradient rather than nothing, and
// the first is reported to the device's bad-input slot (kernels/cuda/bad_input.cuh): the error is
// thrown by the host's next wait on the device, so the call itself never waits.
void softmax_xent(int device, const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows,
                  int64_t n);

}  // namespace cuda
}  // namespace tapeflow::kernels
