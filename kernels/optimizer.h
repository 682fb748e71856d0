#pragma once
// Fused in-place optimizer updates: one pass over a variable, its gradient and its slots (all n
// floats, contiguous). CPU implementations in kernels/cpu/optimizer.cpp; the CUDA backend implements
// the same declarations in namespace kernels::cuda.
#include <cstdint>

namespace tapeflow::kernels::cpu {

// Keras SGD: v = momentum v - lr g; w += v (nesterov: w += momentum v - lr g).
// `velocity` is null when momentum is 0: then w -= lr g.
void sgd_update(float* w, float* velocity, const float* g, int64_t n, float lr, float momentum, bool nesterov);

// tf.keras (TF2) Adam with its bias correction folded into lr_t = lr sqrt(1 - b2^t) / (1 - b1^t):
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr_t m / (sqrt(v) + epsilon).
void adam_update(float* w, float* m, float* v, const float* g, int64_t n, float lr_t, float beta_1, float beta_2,
                 float epsilon);

// tf.keras (TF2) RMSprop: ms = rho ms + (1 - rho) g^2; centered (mg non-null): mg = rho mg + (1 - rho) g,
// denom = ms - mg^2, else denom = ms. Without momentum (mom null): w -= lr g / (sqrt(denom) + epsilon);
// with it: mom = momentum mom + lr g / sqrt(denom + epsilon); w -= mom.
void rmsprop_update(float* w, float* ms, float* mg, float* mom, const float* g, int64_t n, float lr, float rho,
                    float momentum, float epsilon);

// sum(g^2), accumulated in double (for clipping by norm).
double sum_of_squares(const float* g, int64_t n);

}  // namespace tapeflow::kernels::cpu
