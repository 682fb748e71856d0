#include "kernels/optimizer.h"

#include <cmath>

namespace tapeflow::kernels::cpu {

namespace {
constexpr int64_t kParallelAbove = 1 << 15;
}

void sgd_update(float* w, float* velocity, const float* g, int64_t n, float lr, float momentum, bool nesterov) {
  if (velocity == nullptr) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
    for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
    return;
  }
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) {
    velocity[i] = momentum * velocity[i] - lr * g[i];
    w[i] += nesterov ? momentum * velocity[i] - lr * g[i] : velocity[i];
  }
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, float lr_t, float beta_1, float beta_2,
                 float epsilon) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) {
    m[i] = beta_1 * m[i] + (1.f - beta_1) * g[i];
    v[i] = beta_2 * v[i] + (1.f - beta_2) * g[i] * g[i];
    w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

void rmsprop_update(float* w, float* ms, float* mg, float* mom, const float* g, int64_t n, float lr, float rho,
                    float momentum, float epsilon) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) {
    ms[i] = rho * ms[i] + (1.f - rho) * g[i] * g[i];
    float denom = ms[i];
    if (mg) {
      mg[i] = rho * mg[i] + (1.f - rho) * g[i];
      denom -= mg[i] * mg[i];
    }
    // TF2's two code paths place epsilon differently; both are kept as Keras has them.
    if (mom) {
      mom[i] = momentum * mom[i] + lr * g[i] / std::sqrt(denom + epsilon);
      w[i] -= mom[i];
    } else {
      w[i] -= lr * g[i] / (std::sqrt(denom) + epsilon);
    }
  }
}

double sum_of_squares(const float* g, int64_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += double(g[i]) * g[i];
  return s;
}

}  // namespace tapeflow::kernels::cpu
