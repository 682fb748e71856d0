// CUDA twins of kernels/cpu/random.cpp: thread b draws Philox block `counter + b` (kernels/philox.h,
// shared with the CPU) and writes the elements that block decides, exactly as the CPU loop does.
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/philox.h"
#include "kernels/random.h"

namespace tapeflow::kernels::cuda {

namespace {

// draw(b) for every block b < blocks.
template <class Draw>
__global__ void per_block(int64_t blocks, Draw draw) {
  for (int64_t b = global_thread(); b < blocks; b += grid_threads()) draw(b);
}

template <class Draw>
void launch_blocks(int device, int64_t blocks, Draw draw) {
  if (blocks == 0) return;
  per_block<<<grid_for(device, blocks), kThreads, 0, stream_for(device)>>>(blocks, draw);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

struct Uniform {
  float* out;
  int64_t n;
  uint64_t key, counter;
  float minval, range;
  __device__ void operator()(int64_t b) const {
    const Philox4x32 r = philox4x32(key, counter + b);
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) out[4 * b + j] = minval + range * uint_to_unit_float(r.x[j]);
  }
};

struct Normal {
  float* out;
  int64_t n;
  uint64_t key, counter;
  float mean, stddev;
  __device__ void operator()(int64_t b) const {
    float z[4];
    normals_of_block(key, counter + b, 0, z);
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) out[4 * b + j] = mean + stddev * z[j];
  }
};

// Element j of a block is redrawn from the block's later attempts until it lies within 2 stddevs.
struct TruncatedNormal {
  float* out;
  int64_t n;
  uint64_t key, counter;
  float mean, stddev;
  __device__ void operator()(int64_t b) const {
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) {
      float z[4];
      uint64_t attempt = 0;
      do normals_of_block(key, counter + b, attempt++, z);
      while (z[j] <= -2.f || z[j] >= 2.f);
      out[4 * b + j] = mean + stddev * z[j];
    }
  }
};

// Two 64-bit words per block.
struct UniformInt {
  int64_t* out;
  int64_t n;
  uint64_t key, counter;
  int64_t minval;
  uint64_t range;
  __device__ void operator()(int64_t b) const {
    const Philox4x32 r = philox4x32(key, counter + b);
    const uint64_t words[2] = {(uint64_t(r.x[0]) << 32) | r.x[1], (uint64_t(r.x[2]) << 32) | r.x[3]};
    for (int64_t j = 0; j < 2 && 2 * b + j < n; ++j) out[2 * b + j] = minval + static_cast<int64_t>(words[j] % range);
  }
};

}  // namespace

void philox_uniform(int device, float* out, int64_t n, uint64_t key, uint64_t counter, float minval, float maxval) {
  launch_blocks(device, (n + 3) / 4, Uniform{out, n, key, counter, minval, maxval - minval});
}

void philox_normal(int device, float* out, int64_t n, uint64_t key, uint64_t counter, float mean, float stddev) {
  launch_blocks(device, (n + 3) / 4, Normal{out, n, key, counter, mean, stddev});
}

void philox_truncated_normal(int device, float* out, int64_t n, uint64_t key, uint64_t counter, float mean,
                             float stddev) {
  launch_blocks(device, (n + 3) / 4, TruncatedNormal{out, n, key, counter, mean, stddev});
}

void philox_uniform_int(int device, int64_t* out, int64_t n, uint64_t key, uint64_t counter, int64_t minval,
                        int64_t maxval) {
  launch_blocks(device, (n + 1) / 2, UniformInt{out, n, key, counter, minval, static_cast<uint64_t>(maxval - minval)});
}

}  // namespace tapeflow::kernels::cuda
