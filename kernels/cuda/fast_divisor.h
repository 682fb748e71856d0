#pragma once
// Division by a divisor fixed at launch, as a multiply-high and a shift (Granlund and Montgomery, "Division by
// invariant integers using multiplication", 1994): index arithmetic with a 32-bit division costs about 20
// instructions, and kernels that unravel an index per element (pooling) are bound by it. Header-only and
// usable on the host too, so that its exactness is tested on CPUs.
#include <cstdint>
#include <string>

#include "kernels/host_device.h"
#include "tapeflow/error.h"

namespace tapeflow::kernels::cuda {

// Exact quotients of dividends in [0, 2^31) by a divisor in [1, 2^31).
class FastDivisor {
 public:
  // With p = 31 + ceil(log2 d) and multiplier = ceil(2^p / d) (which fits 32 bits), x * multiplier / 2^p
  // rounds down to x / d for every x < 2^31. d = 1 would need 2^32: it is passed through instead.
  explicit FastDivisor(int32_t d) : divisor_(d) {
    if (d < 1) throw Error("FastDivisor: expected a divisor of at least 1, got " + std::to_string(d));
    if (d == 1) return;
    int log2_ceil = 0;
    while ((int64_t{1} << log2_ceil) < d) ++log2_ceil;
    multiplier_ = static_cast<uint32_t>(((uint64_t{1} << (31 + log2_ceil)) + uint64_t(d) - 1) / uint64_t(d));
    shift_ = log2_ceil - 1;
  }

  TAPEFLOW_HOST_DEVICE int32_t divisor() const { return divisor_; }

  TAPEFLOW_HOST_DEVICE int32_t divide(int32_t x) const {
    if (divisor_ == 1) return x;
    return static_cast<int32_t>(multiply_high(static_cast<uint32_t>(x), multiplier_) >> shift_);
  }

 private:
  static TAPEFLOW_HOST_DEVICE uint32_t multiply_high(uint32_t a, uint32_t b) {
#ifdef __CUDA_ARCH__
    return __umulhi(a, b);
#else
    return static_cast<uint32_t>((uint64_t(a) * b) >> 32);
#endif
  }

  int32_t divisor_;
  uint32_t multiplier_ = 0;
  int shift_ = 0;
};

}  // namespace tapeflow::kernels::cuda
