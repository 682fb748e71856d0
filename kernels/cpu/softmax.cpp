#include "kernels/softmax.h"

#include <cmath>

namespace tapeflow::kernels::cpu {

namespace {
constexpr int64_t kParallelAbove = 1 << 14;

float row_max(const float* x, int64_t n) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}
}  // namespace

void softmax(const float* x, float* y, int64_t rows, int64_t n, bool log) {
#pragma omp parallel for schedule(static) if (rows * n > kParallelAbove)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const float m = row_max(xr, n);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      yr[i] = std::exp(xr[i] - m);
      sum += yr[i];
    }
    if (log) {
      const float log_sum = static_cast<float>(std::log(sum));
      for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - m - log_sum;
    } else {
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t i = 0; i < n; ++i) yr[i] *= inv;
    }
  }
}

void softmax_backward(const float* y, const float* dy, float* dx, int64_t rows, int64_t n, bool log) {
#pragma omp parallel for schedule(static) if (rows * n > kParallelAbove)
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y + r * n;
    const float* gr = dy + r * n;
    float* dr = dx + r * n;
    double s = 0;
    if (log) {
      for (int64_t i = 0; i < n; ++i) s += gr[i];
      for (int64_t i = 0; i < n; ++i) dr[i] = gr[i] - std::exp(yr[i]) * static_cast<float>(s);
    } else {
      for (int64_t i = 0; i < n; ++i) s += double(gr[i]) * yr[i];
      for (int64_t i = 0; i < n; ++i) dr[i] = yr[i] * (gr[i] - static_cast<float>(s));
    }
  }
}

int64_t softmax_xent(const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r)
    if (labels[r] < 0 || labels[r] >= n) return r;
#pragma omp parallel for schedule(static) if (rows * n > kParallelAbove)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = logits + r * n;
    const float m = row_max(xr, n);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(double(xr[i] - m));
    const double log_sum = std::log(sum);
    loss[r] = static_cast<float>(log_sum - double(xr[labels[r]] - m));
    if (grad) {
      float* gr = grad + r * n;
      const double inv = 1.0 / sum;
      for (int64_t i = 0; i < n; ++i) gr[i] = static_cast<float>(std::exp(double(xr[i] - m)) * inv);
      gr[labels[r]] -= 1.f;
    }
  }
  return -1;
}

}  // namespace tapeflow::kernels::cpu
