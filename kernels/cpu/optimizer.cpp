#include "kernels/optimizer.h"

#include <omp.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cmath>

namespace tapeflow::kernels::cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 15;  // elements; below this threads cost more than they give

// While alive, this thread's SSE/AVX arithmetic treats denormal inputs and results as zero (FTZ + DAZ), as
// TensorFlow's CPU threads do. The slots of a unit whose gradient stays 0 (a dead ReLU) decay geometrically
// (Adam's m by beta_1 each step) into the denormal range, where every multiply takes a microcode assist:
// ~100x slower. The MLP's training step spent 70% of its time there after ~800 steps.
class FlushDenormals {
 public:
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
  unsigned saved_;
};

// Runs update(begin, end) over [0, n) in one contiguous chunk per OpenMP thread (one chunk when n is small),
// each with denormals flushed.
template <class Update>
void for_each_chunk(int64_t n, const Update& update) {
#pragma omp parallel if (n > kParallelAbove)
  {
    const FlushDenormals flush;
    const int64_t thread = omp_get_thread_num(), threads = omp_get_num_threads();
    update(n * thread / threads, n * (thread + 1) / threads);
  }
}

// The variants are template parameters so that each inner loop is branch-free and vectorises.
template <bool kNesterov>
void sgd_momentum(float* w, float* velocity, const float* g, int64_t n, float lr, float momentum) {
  for_each_chunk(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
      const float v = momentum * velocity[i] - lr * g[i];
      velocity[i] = v;
      w[i] += kNesterov ? momentum * v - lr * g[i] : v;
    }
  });
}

template <bool kCentered, bool kMomentum>
void rmsprop(float* w, float* ms, float* mg, float* mom, const float* g, int64_t n, float lr, float rho,
             float momentum, float epsilon) {
  for_each_chunk(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
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
  });
}

}  // namespace

void sgd_update(float* w, float* velocity, const float* g, int64_t n, float lr, float momentum, bool nesterov) {
  if (velocity == nullptr) {
    for_each_chunk(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
      for (int64_t i = begin; i < end; ++i) w[i] -= lr * g[i];
    });
  } else if (nesterov) {
    sgd_momentum<true>(w, velocity, g, n, lr, momentum);
  } else {
    sgd_momentum<false>(w, velocity, g, n, lr, momentum);
  }
}

void adam_update(float* w, float* m, float* v, const float* g, int64_t n, float lr_t, float beta_1, float beta_2,
                 float epsilon) {
  for_each_chunk(n, [=](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
      const float gi = g[i];
      const float mi = beta_1 * m[i] + (1.f - beta_1) * gi;
      const float vi = beta_2 * v[i] + (1.f - beta_2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] -= lr_t * mi / (std::sqrt(vi) + epsilon);
    }
  });
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
