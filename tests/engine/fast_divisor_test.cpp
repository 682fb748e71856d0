// kernels/cuda/fast_divisor.h: its quotients are exact over the whole range the pooling kernels use it for.
#include "kernels/cuda/fast_divisor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace tapeflow::kernels::cuda {
namespace {

TEST(FastDivisor, QuotientsAreExactForEveryDividendOfSmallDivisors) {
  for (int32_t d = 1; d <= 70; ++d) {
    const FastDivisor divisor(d);
    for (int32_t x = 0; x < 1 << 16; ++x) ASSERT_EQ(divisor.divide(x), x / d) << x << " / " << d;
  }
}

TEST(FastDivisor, QuotientsAreExactNearTheEndsOfTheRange) {
  std::mt19937 random(7);
  std::vector<int32_t> divisors = {2, 3, 7, 28, 1000, 65537, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, INT32_MAX};
  for (int i = 0; i < 200; ++i) divisors.push_back(static_cast<int32_t>(random() % INT32_MAX) + 1);
  for (const int32_t d : divisors) {
    const FastDivisor divisor(d);
    std::vector<int32_t> dividends = {0, 1, d - 1, d, INT32_MAX, INT32_MAX - 1};
    if (d < INT32_MAX / 3) dividends.insert(dividends.end(), {2 * d - 1, 2 * d, 3 * d + 1});
    for (int i = 0; i < 200; ++i) dividends.push_back(static_cast<int32_t>(random() % (uint32_t(INT32_MAX) + 1)));
    for (const int32_t x : dividends) ASSERT_EQ(divisor.divide(x), x / d) << x << " / " << d;
  }
}

TEST(FastDivisor, RejectsADivisorBelowOne) {
  EXPECT_THROW(FastDivisor(0), Error);
  EXPECT_THROW(FastDivisor(-3), Error);
}

}  // namespace
}  // namespace tapeflow::kernels::cuda
