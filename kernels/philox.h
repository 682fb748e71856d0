#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
// generator. Block `counter` under `key` gives four 32-bit words; the same on any thread or device.
#include <array>
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define TAPEFLOW_HOST_DEVICE __host__ __device__
#else
#define TAPEFLOW_HOST_DEVICE
#endif

namespace tapeflow::kernels {

struct Philox4x32 {
  uint32_t x[4];
};

// The four words through references, so that a SIMD loop over counters keeps them in vector registers.
TAPEFLOW_HOST_DEVICE inline void philox4x32_words(uint64_t key, uint64_t counter_lo, uint64_t counter_hi,
                                                  uint32_t& c0, uint32_t& c1, uint32_t& c2, uint32_t& c3) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  c0 = static_cast<uint32_t>(counter_lo);
  c1 = static_cast<uint32_t>(counter_lo >> 32);
  c2 = static_cast<uint32_t>(counter_hi);
  c3 = static_cast<uint32_t>(counter_hi >> 32);
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * c0;
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * c2;
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<uint32_t>(p1);
    c3 = static_cast<uint32_t>(p0);
    c0 = n0;
    c2 = n2;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
}
TAPEFLOW_HOST_DEVICE inline Philox4x32 philox4x32(uint64_t key, uint64_t counter_lo, uint64_t counter_hi = 0) {
  Philox4x32 r;
  philox4x32_words(key, counter_lo, counter_hi, r.x[0], r.x[1], r.x[2], r.x[3]);
  return r;
}

// Uniform in [0, 1) from the top 24 bits.
TAPEFLOW_HOST_DEVICE inline float uint_to_unit_float(uint32_t bits) { return (bits >> 8) * (1.0f / 16777216.0f); }

// Two standard normals from two uniforms (Box-Muller); u1 is mapped into (0, 1] to keep log finite.
TAPEFLOW_HOST_DEVICE inline void box_muller(uint32_t a, uint32_t b, float* z0, float* z1) {
  const float u1 = ((a >> 8) + 1.0f) * (1.0f / 16777216.0f);
  const float u2 = uint_to_unit_float(b);
  const float r = sqrtf(-2.0f * logf(u1));
  const float theta = 6.283185307179586f * u2;
  *z0 = r * cosf(theta);
  *z1 = r * sinf(theta);
}

// The four standard normals of Philox block `block` under `key`; `attempt` selects the redraw stream
// (the counter's high word) for truncated draws.
TAPEFLOW_HOST_DEVICE inline void normals_of_block(uint64_t key, uint64_t block, uint64_t attempt, float z[4]) {
  const Philox4x32 r = philox4x32(key, block, attempt);
  box_muller(r.x[0], r.x[1], &z[0], &z[1]);
  box_muller(r.x[2], r.x[3], &z[2], &z[3]);
}

}  // namespace tapeflow::kernels
