// The word CUDA kernels report bad labels and indices with (kernels/bad_input_word.h), on the CPU: the
// atomicMax of packed words must keep the lowest position, with its own value, and never read as "none".
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "kernels/bad_input_word.h"

namespace tapeflow::kernels {
namespace {

TEST(BadInputWord, RoundTripsPositionsAndValuesOfEitherSign) {
  for (long long position : {0LL, 1LL, 49LL, 123456789LL, 0xFFFFFFFDLL}) {
    for (long long value : {-1LL, 0LL, 7LL, 10LL, -2147483648LL, 2147483647LL}) {
      const BadInputFound found = unpack_bad_input(pack_bad_input(position, value));
      EXPECT_EQ(found.position, position);
      EXPECT_EQ(found.value, value);
    }
  }
}

TEST(BadInputWord, TheLargestWordIsTheLowestPositionWithItsValue) {
  // As atomicMax sees the reports of one launch, in any order.
  const std::vector<std::pair<long long, long long>> reports{{7, -3}, {2, 12}, {5, 99}, {3, -1}};
  unsigned long long kept = 0;
  for (const auto& [position, value] : reports) kept = std::max(kept, pack_bad_input(position, value));
  const BadInputFound found = unpack_bad_input(kept);
  EXPECT_EQ(found.position, 2);
  EXPECT_EQ(found.value, 12);
}

TEST(BadInputWord, ClampsToThirtyTwoBitsAndIsNeverNone) {
  EXPECT_EQ(unpack_bad_input(pack_bad_input(1LL << 40, 0)).position, 0xFFFFFFFELL);
  EXPECT_EQ(unpack_bad_input(pack_bad_input(0, 1LL << 40)).value, 2147483647);
  EXPECT_EQ(unpack_bad_input(pack_bad_input(0, -(1LL << 40))).value, -2147483648LL);
  for (long long position : {0LL, 0xFFFFFFFELL, 1LL << 40})
    for (long long value : {-(1LL << 40), -1LL, 0LL, 1LL << 40}) EXPECT_NE(pack_bad_input(position, value), 0u);
}

}  // namespace
}  // namespace tapeflow::kernels
