#include "kernels/optimizer.h"

#include <algorithm>
#include <cmath>

namespace tapeflow::kernels::cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 15;  // elements; below this threads cost more than they give

// The variants are template parameters so that each inner loop is branch-free and vectorises.
template <bool kNesterov>
void sgd_momentum(float* w, float* velocity, const float* g, int64_t n, float lr, float momentum) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) {
    const float v = momentum * velocity[i] - lr * g[i];
    velocity[i] = v;
    w[i] += kNesterov ? momentum * v - lr * g[i] : v;
  }
}

template <bool kCentered, bool kMomentum>
void rmsprop(float* w, float* ms, float* mg, float* mom, const float* g, int64_t n, float lr, float rho,
             float momentum, float epsilon) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float s = rho * ms[i] + (1.f - rho) * gi * gi;
    ms[i] = s;
    float denom = s;
    if constexpr (kCentered) {
      const float a = rho * mg[i] + (1.f - rho) * gi;
      mg[i] = a;
      // ms >= mg^2 in exact arithmetic; rounding can go below 0 when g barely changes, and sqrt would give NaN.
      denom = std::max(s - a * a, 0.f);
    }
    if constexpr (kMomentum) {
      const float m = momentum * mom[i] + lr * gi / std::sqrt(denom + epsilon);
      mom[i] = m;
      w[i] -= m;
    } else {
      w[i] -= lr * gi / (std::sqrt(denom) + epsilon);
    }
  }
}

}  // namespace

void sgd_update(float* w, float* velocity, const float* g, int64_t n, float lr, float momentum, bool nesterov) {
  if (velocity == nullptr) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
    for (int64_t i = 0; i < n; ++i) w[i] -= lr * g[i];
  } else if (nesterov) {
    sgd_momentum<true>(w, velocity, g, n, lr, momentum);
  } else {
    sgd_momentum<false>(w, velocity, g, n, lr, momentum);
  }
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, float lr_t, float beta_1, float beta_2,
                 float epsilon) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = beta_1 * m[i] + (1.f - beta_1) * gi;
    const float vi = beta_2 * v[i] + (1.f - beta_2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= lr_t * mi / (std::sqrt(vi) + epsilon);
  }
}

void rmsprop_update(float* w, float* ms, float* mg, float* mom, const float* g, int64_t n, float lr, float rho,
                    float momentum, float epsilon) {
  if (mg && mom) return rmsprop<true, true>(w, ms, mg, mom, g, n, lr, rho, momentum, epsilon);
  if (mg) return rmsprop<true, false>(w, ms, mg, mom, g, n, lr, rho, momentum, epsilon);
  if (mom) return rmsprop<false, true>(w, ms, mg, mom, g, n, lr, rho, momentum, epsilon);
  rmsprop<false, false>(w, ms, mg, mom, g, n, lr, rho, momentum, epsilon);
}

double sum_of_squares(const float* g, int64_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; ++i) s += double(g[i]) * g[i];
  return s;
}

}  // namespace tapeflow::kernels::cpu
