#pragma once
// One LSTM cell element, forward and backward, shared by the CPU and CUDA kernels (kernels/lstm.h).
//
// On the CPU, sigmoid and tanh are built on exp_approx below (plain arithmetic, no libm calls), so the
// kernels' loops over units vectorize: libm's scalar expf/tanhf were a third of a char-RNN training step.
// On the GPU they stay CUDA's expf/tanhf.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/host_device.h"

namespace tapeflow::kernels::lstm_math {

inline int32_t bits_of(float f) {
  int32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}
inline float float_of(int32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// condition ? a : b on the bits. Under -ftrapping-math gcc will not compute float arithmetic that a
// `?:` may skip (it could trap), so the loop keeps a branch and does not vectorize; here both are used.
inline float select(bool condition, float a, float b) {
  const int32_t mask = -static_cast<int32_t>(condition);
  return float_of((bits_of(a) & mask) | (bits_of(b) & ~mask));
}

// e^x within 2 ulp for x in [-87, 88] (clamped outside; NaN stays NaN): x = n ln2 + r with |r| <= ln2 / 2
// (ln2 split in two for an exact reduction), e^r by Cephes's expf polynomial, 2^n put into the exponent.
// n is rounded by adding 1.5 * 2^23 and read from the sum's low bits (a float-to-int conversion could
// trap, which keeps gcc from vectorizing past the clamp).
inline float exp_approx(float x) {
  x = x < -87.f ? -87.f : (x > 88.f ? 88.f : x);
  constexpr float kShift = 12582912.f;
  const float shifted = std::fma(x, 1.44269504088896341f, kShift);
  const float n = shifted - kShift;
  float r = std::fma(n, -0.693359375f, x);
  r = std::fma(n, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  p = std::fma(p, r * r, r + 1.f);
  return p * float_of((bits_of(shifted) - bits_of(kShift) + 127) << 23);
}

TAPEFLOW_HOST_DEVICE inline float sigmoid(float x) {
#ifdef __CUDA_ARCH__
  return 1.f / (1.f + expf(-x));
#else
  return 1.f / (1.f + exp_approx(-x));
#endif
}

TAPEFLOW_HOST_DEVICE inline float tanh(float x) {
#ifdef __CUDA_ARCH__
  return tanhf(x);
#else
  // Near 0, 1 - 2 / (e^2x + 1) cancels: there the odd Taylor series (error < 1e-10 for |x| < 0.125).
  const float x2 = x * x;
  const float series = x * (1.f + x2 * (-1.f / 3 + x2 * (2.f / 15 - x2 * (17.f / 315))));
  const float from_exp = 1.f - 2.f / (exp_approx(2.f * x) + 1.f);
  return select(std::fabs(x) < 0.125f, series, from_exp);
#endif
}

struct Gates {
  float i, f, g, o;
};

// z_row points at one example's 4u pre-activations; j is the unit.
TAPEFLOW_HOST_DEVICE inline Gates gates(const float* z_row, long long units, long long j) {
  return {sigmoid(z_row[j]), sigmoid(z_row[units + j]), tanh(z_row[2 * units + j]), sigmoid(z_row[3 * units + j])};
}

// The gradients of the four gates' pre-activations and of the previous cell state.
struct Gradients {
  float z_i, z_f, z_g, z_o, c;
};

// From dh' and dc'.
TAPEFLOW_HOST_DEVICE inline Gradients backward(Gates a, float c, float dh_next, float dc_next) {
  const float c_next = a.f * c + a.i * a.g;
  const float tanh_c = tanh(c_next);
  const float dc_total = dc_next + dh_next * a.o * (1.f - tanh_c * tanh_c);
  return {dc_total * a.g * a.i * (1.f - a.i), dc_total * c * a.f * (1.f - a.f), dc_total * a.i * (1.f - a.g * a.g),
          dh_next * tanh_c * a.o * (1.f - a.o), dc_total * a.f};
}

}  // namespace tapeflow::kernels::lstm_math
