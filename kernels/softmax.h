#pragma once
// Row-wise softmax family over the last dim of x [rows, n].
#include <cstdint>

namespace tapeflow::kernels::cpu {

// y = softmax(x) (log_softmax when `log`), stably (max subtracted).
void softmax(const float* x, float* y, int64_t rows, int64_t n, bool log);
// dx = y * (dy - sum(dy * y)) for softmax; dx = dy - exp(y) * sum(dy) for log_softmax (y = output).
void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t n, bool log);
// One pass per row: loss[r] = logsumexp(x[r]) - x[r, label[r]]; when grad is non-null also
// grad[r] = softmax(x[r]) - onehot(label[r]). Returns the first row whose label is outside [0, n), or -1.
int64_t softmax_xent(const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows, int64_t n);

}  // namespace tapeflow::kernels::cpu
