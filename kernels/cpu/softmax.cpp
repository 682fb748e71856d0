#include "kernels/softmax.h"

#include <cmath>

namespace tapeflow::kernels::cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 14;  // elements; below this threads cost more than they give

// A lane is the n values x[0], x[stride], ..., x[(n - 1) * stride] that one softmax normalises.
float lane_max(const float* x, int64_t n, int64_t stride) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; ++i) m = x[i * stride] > m ? x[i * stride] : m;
  return m;
}

void softmax_lane(const float* x, float* y, int64_t n, int64_t stride, bool log) {
  const float m = lane_max(x, n, stride);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i * stride] - m);
    y[i * stride] = e;
    sum += e;
  }
  if (log) {
    // (x - m) first: it is exact for the large entries, where x - (m + log_sum) would round.
    const float log_sum = static_cast<float>(std::log(sum));
    for (int64_t i = 0; i < n; ++i) y[i * stride] = (x[i * stride] - m) - log_sum;
  } else {
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < n; ++i) y[i * stride] *= inv;
  }
}

void softmax_backward_lane(const float* y, const float* dy, float* dx, int64_t n, int64_t stride, bool log) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += log ? double(dy[i * stride]) : double(dy[i * stride]) * y[i * stride];
  const float sum = static_cast<float>(s);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = i * stride;
    dx[k] = log ? dy[k] - std::exp(y[k]) * sum : y[k] * (dy[k] - sum);
  }
}

// Calls f(offset) for the first element of every lane of [outer, n, inner], in parallel when large.
template <class F> void for_each_lane(int64_t outer, int64_t n, int64_t inner, F f) {
#pragma omp parallel for schedule(static) if (outer * n * inner > kParallelAbove)
  for (int64_t lane = 0; lane < outer * inner; ++lane) f((lane / inner) * n * inner + lane % inner);
}

}  // namespace

void softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  for_each_lane(outer, n, inner, [&](int64_t at) { softmax_lane(x + at, y + at, n, inner, log); });
}

void softmax_backward(const float* y, const float* dy, float* dx, int64_t outer, int64_t n, int64_t inner, bool log) {
  for_each_lane(outer, n, inner,
                [&](int64_t at) { softmax_backward_lane(y + at, dy + at, dx + at, n, inner, log); });
}

int64_t softmax_xent(const float* logits, const int64_t* labels, float* loss, float* grad, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r)
    if (labels[r] < 0 || labels[r] >= n) return r;
#pragma omp parallel for schedule(static) if (rows * n > kParallelAbove)
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * n;
    const float m = lane_max(x, n, 1);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - m);
    loss[r] = static_cast<float>(std::log(sum) - double(x[labels[r]] - m));
    if (grad) {
      float* g = grad + r * n;
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t i = 0; i < n; ++i) g[i] = std::exp(x[i] - m) * inv;
      g[labels[r]] -= 1.f;
    }
  }
  return -1;
}

}  // namespace tapeflow::kernels::cpu
