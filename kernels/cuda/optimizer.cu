// CUDA twins of kernels/cpu/optimizer.cpp, fused over many variables: one launch updates a whole
// list of (w, g, slots) buffers. The list travels as a kernel parameter; block b finds its variable
// by the list's running block counts and updates one kChunk-element chunk of it.
#include <algorithm>
#include <cstdint>

#include "kernels/cuda/bad_input.cuh"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/optimizer.h"

namespace tapeflow::kernels::cuda {

namespace {

constexpr int64_t kChunk = 16 * kThreads;  // elements per block: 16 per thread

struct ParamList {
  ParamSlots params[kMaxParamsPerLaunch];
  // Blocks [first_block[t], first_block[t + 1]) update params[t].
  int64_t first_block[kMaxParamsPerLaunch + 1];
};

template <class Step>
__global__ void multi_tensor_update(ParamList list, Step step) {
  const int64_t b = blockIdx.x;
  int t = 0;
  while (b >= list.first_block[t + 1]) ++t;  // ends below the list's count: b < its last entry
  const ParamSlots p = list.params[t];
  const int64_t begin = (b - list.first_block[t]) * kChunk;
  const int64_t end = begin + kChunk < p.n ? begin + kChunk : p.n;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) step(p, i);
}

// The per-element updates, with the CPU's formulas (the slot order is the header's).
struct SgdStep {
  float lr, momentum;
  bool nesterov;
  __device__ void operator()(const ParamSlots& p, int64_t i) const {
    float* velocity = p.slot[0];
    if (velocity == nullptr) {
      p.w[i] -= lr * p.g[i];
      return;
    }
    const float v = momentum * velocity[i] - lr * p.g[i];
    velocity[i] = v;
    p.w[i] += nesterov ? momentum * v - lr * p.g[i] : v;
  }
};

struct AdamStep {
  const float* lr_t;
  float beta_1, beta_2, epsilon;
  __device__ void operator()(const ParamSlots& p, int64_t i) const {
    const float g = p.g[i];
    const float m = beta_1 * p.slot[0][i] + (1.f - beta_1) * g;
    const float v = beta_2 * p.slot[1][i] + (1.f - beta_2) * g * g;
    p.slot[0][i] = m;
    p.slot[1][i] = v;
    p.w[i] -= *lr_t * m / (sqrtf(v) + epsilon);
  }
};

struct RmspropStep {
  float lr, rho, momentum, epsilon;
  __device__ void operator()(const ParamSlots& p, int64_t i) const {
    float *ms = p.slot[0], *mg = p.slot[1], *mom = p.slot[2];
    const float g = p.g[i];
    const float s = rho * ms[i] + (1.f - rho) * g * g;
    ms[i] = s;
    float denom = s;
    if (mg != nullptr) {
      const float a = rho * mg[i] + (1.f - rho) * g;
      mg[i] = a;
      denom = fmaxf(s - a * a, 0.f);  // rounding can take ms - mg^2 below 0, and sqrt to NaN
    }
    if (mom != nullptr) {
      const float m = momentum * mom[i] + lr * g / sqrtf(denom + epsilon);
      mom[i] = m;
      p.w[i] -= m;
    } else {
      p.w[i] -= lr * g / (sqrtf(denom) + epsilon);
    }
  }
};

template <class Step>
void update_all(int device, const ParamSlots* params, int count, Step step) {
  const cudaStream_t stream = stream_for(device);
  for (int first = 0; first < count; first += kMaxParamsPerLaunch) {
    const int here = std::min(kMaxParamsPerLaunch, count - first);
    ParamList list{};
    int64_t blocks = 0;
    for (int t = 0; t < here; ++t) {
      list.params[t] = params[first + t];
      list.first_block[t] = blocks;
      blocks += (params[first + t].n + kChunk - 1) / kChunk;
    }
    for (int t = here; t <= kMaxParamsPerLaunch; ++t) list.first_block[t] = blocks;
    if (blocks == 0) continue;
    multi_tensor_update<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(list, step);
    TAPEFLOW_CUDA_CHECK_LAUNCH();
  }
}

__global__ void adam_advance_kernel(int64_t* step, float* lr_t, double lr, double beta_1, double beta_2) {
  const int64_t t = ++*step;
  *lr_t = static_cast<float>(adam_step_size(lr, beta_1, beta_2, static_cast<double>(t)));
}

// One block, so the sum comes out in the same order on every call.
constexpr int kSumThreads = 1024;

__global__ void sum_of_squares_kernel(const float* g, int64_t n, double* out) {
  double s = 0;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += double(g[i]) * g[i];
  s = block_reduce(s, AddOp{});
  if (threadIdx.x == 0) *out = s;
}

}  // namespace

void sgd_update(int device, const ParamSlots* params, int count, float lr, float momentum, bool nesterov) {
  update_all(device, params, count, SgdStep{lr, momentum, nesterov});
}

void adam_advance(int device, int64_t* step, float* lr_t, double lr, double beta_1, double beta_2) {
  adam_advance_kernel<<<1, 1, 0, stream_for(device)>>>(step, lr_t, lr, beta_1, beta_2);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

void adam_update(int device, const ParamSlots* params, int count, const float* lr_t, float beta_1, float beta_2,
                 float epsilon) {
  update_all(device, params, count, AdamStep{lr_t, beta_1, beta_2, epsilon});
}

void rmsprop_update(int device, const ParamSlots* params, int count, float lr, float rho, float momentum,
                    float epsilon) {
  update_all(device, params, count, RmspropStep{lr, rho, momentum, epsilon});
}

double sum_of_squares(int device, const float* g, int64_t n, void* scratch) {
  const cudaStream_t stream = stream_for(device);
  auto* total = static_cast<double*>(scratch);
  sum_of_squares_kernel<<<1, kSumThreads, 0, stream>>>(g, n, total);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
  double result = 0;
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(&result, total, sizeof result, cudaMemcpyDeviceToHost, stream));
  wait_for_stream(device);
  return result;
}

}  // namespace tapeflow::kernels::cuda
