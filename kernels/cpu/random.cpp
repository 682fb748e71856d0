#include "kernels/random.h"

#include <algorithm>

#include "kernels/philox.h"

namespace tapeflow::kernels::cpu {

namespace {

float scaled(uint32_t bits, float minval, float range) { return minval + range * uint_to_unit_float(bits); }

// out[4 b .. 4 b + 4) for blocks [begin, end): one block per SIMD lane, Philox's rounds in vector registers.
void uniform_blocks(float* out, int64_t begin, int64_t end, uint64_t key, uint64_t counter, float minval,
                    float range) {
#pragma omp simd
  for (int64_t b = begin; b < end; ++b) {
    uint32_t x0, x1, x2, x3;
    philox4x32_words(key, counter + b, 0, x0, x1, x2, x3);
    out[4 * b] = scaled(x0, minval, range);
    out[4 * b + 1] = scaled(x1, minval, range);
    out[4 * b + 2] = scaled(x2, minval, range);
    out[4 * b + 3] = scaled(x3, minval, range);
  }
}

}  // namespace

void philox_uniform(float* out, int64_t n, uint64_t key, uint64_t counter, float minval, float maxval) {
  const float range = maxval - minval;
  constexpr int64_t kChunk = 4096;  // blocks per parallel task
  const int64_t whole = n / 4, chunks = (whole + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t chunk = 0; chunk < chunks; ++chunk)
    uniform_blocks(out, chunk * kChunk, std::min(whole, (chunk + 1) * kChunk), key, counter, minval, range);
  if (whole * 4 < n) {
    const Philox4x32 r = philox4x32(key, counter + whole);
    for (int64_t j = 0; whole * 4 + j < n; ++j) out[whole * 4 + j] = scaled(r.x[j], minval, range);
  }
}

void philox_normal(float* out, int64_t n, uint64_t key, uint64_t counter, float mean, float stddev) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t b = 0; b < (n + 3) / 4; ++b) {
    float z[4];
    normals_of_block(key, counter + b, 0, z);
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) out[4 * b + j] = mean + stddev * z[j];
  }
}

void philox_truncated_normal(float* out, int64_t n, uint64_t key, uint64_t counter, float mean, float stddev) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t b = 0; b < (n + 3) / 4; ++b) {
    for (int64_t j = 0; j < 4 && 4 * b + j < n; ++j) {
      float z[4];
      uint64_t attempt = 0;
      do normals_of_block(key, counter + b, attempt++, z);
      while (z[j] <= -2.f || z[j] >= 2.f);
      out[4 * b + j] = mean + stddev * z[j];
    }
  }
}

void philox_uniform_int(int64_t* out, int64_t n, uint64_t key, uint64_t counter, int64_t minval, int64_t maxval) {
  const uint64_t range = static_cast<uint64_t>(maxval - minval);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t b = 0; b < (n + 1) / 2; ++b) {
    const Philox4x32 r = philox4x32(key, counter + b);
    const uint64_t words[2] = {(uint64_t(r.x[0]) << 32) | r.x[1], (uint64_t(r.x[2]) << 32) | r.x[3]};
    for (int64_t j = 0; j < 2 && 2 * b + j < n; ++j) out[2 * b + j] = minval + static_cast<int64_t>(words[j] % range);
  }
}

}  // namespace tapeflow::kernels::cpu
