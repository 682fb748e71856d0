#pragma once
// Fused in-place optimizer updates: one pass over a variable, its gradient and its slots (all n
// floats, contiguous). CPU implementations in kernels/cpu/optimizer.cpp (one variable per call);
// CUDA ones in kernels/cuda/optimizer.cu (a list of variables per launch).
#include <cmath>
#include <cstdint>

#include "kernels/host_device.h"

namespace tapeflow::kernels {

// Adam's step size at step t = 1, 2...: its bias correction folded into lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
// in double (b2^t is close to 1).
TAPEFLOW_HOST_DEVICE inline double adam_step_size(double lr, double beta_1, double beta_2, double t) {
  return lr * ::sqrt(1 - ::pow(beta_2, t)) / (1 - ::pow(beta_1, t));  // ::, not tapeflow's tensor ops
}

namespace cpu {

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

}  // namespace cpu

// The same updates on CUDA device `device`, each over a list of variables in one launch (one more
// per kMaxParamsPerLaunch variables), with the CPU's formulas, queued on the device's compute stream.
namespace cuda {

// One variable: w and g (n floats each) and its slots in the update's order, null where the variant
// has none (SGD: velocity; Adam: m, v; RMSprop: ms, mg, mom).
struct ParamSlots {
  float* w = nullptr;
  const float* g = nullptr;
  float* slot[3] = {};
  int64_t n = 0;
};
inline constexpr int kMaxParamsPerLaunch = 48;

void sgd_update(int device, const ParamSlots* params, int count, float lr, float momentum, bool nesterov);
// Adam's step counter lives on the device, so that a captured step (tapeflow::Function) replays with
// the right step size: adam_advance makes t = ++*step and *lr_t = adam_step_size(lr, beta_1, beta_2, t),
// and adam_update reads *lr_t.
void adam_advance(int device, int64_t* step, float* lr_t, double lr, double beta_1, double beta_2);
void adam_update(int device, const ParamSlots* params, int count, const float* lr_t, float beta_1, float beta_2,
                 float epsilon);
void rmsprop_update(int device, const ParamSlots* params, int count, float lr, float rho, float momentum,
                    float epsilon);
// sum(g^2) in double, in a fixed order. `scratch`: 8 bytes of device memory; waits for the stream.
double sum_of_squares(int device, const float* g, int64_t n, void* scratch);

}  // namespace cuda
}  // namespace tapeflow::kernels
