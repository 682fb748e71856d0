// The CPU allocator (engine/memory/cpu_allocator.h): freed memory serves later requests of any size, freed
// neighbours merge, and reserved_bytes follows the highest address handed out, not the sizes ever seen.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "engine/memory/cpu_allocator.h"
#include "error_of.h"

namespace tapeflow::memory {
namespace {

using tapeflow::testing::error_of;

constexpr size_t kKiB = 1024;
constexpr size_t kSegment = size_t{4} << 20;

std::byte* allocate(CpuAllocator& a, size_t nbytes) { return static_cast<std::byte*>(a.allocate(nbytes)); }

// How blocks are carved from segments; under AddressSanitizer each block is its own aligned_alloc instead.
class CpuAllocatorSegments : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "under AddressSanitizer every block is its own aligned_alloc";
#endif
  }
};

TEST(CpuAllocator, AlignsAndRoundsEveryBlockTo64Bytes) {
  CpuAllocator a(kSegment);
  void* one = a.allocate(1);
  void* odd = a.allocate(100);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(one) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(odd) % 64, 0u);
  EXPECT_EQ(a.stats().current_bytes, 64u + 128u);
  a.deallocate(one, 1);
  a.deallocate(odd, 100);
  EXPECT_EQ(a.stats().current_bytes, 0u);
  EXPECT_EQ(a.stats().peak_bytes, 192u);
}

TEST_F(CpuAllocatorSegments, FreedMemoryServesRequestsOfOtherSizes) {
  CpuAllocator a(kSegment);
  std::byte* big = allocate(a, 100 * kKiB);
  a.deallocate(big, 100 * kKiB);
  std::byte* quarter = allocate(a, 25 * kKiB);
  std::byte* half = allocate(a, 50 * kKiB);
  EXPECT_EQ(quarter, big);
  EXPECT_EQ(half, big + 25 * kKiB);
  EXPECT_EQ(a.stats().reserved_bytes, 100 * kKiB) << "a size-class cache would hold 175 KiB here";
  a.deallocate(quarter, 25 * kKiB);
  a.deallocate(half, 50 * kKiB);
}

TEST_F(CpuAllocatorSegments, MergesFreedNeighboursWhateverTheOrder) {
  CpuAllocator a(kSegment);
  std::byte* first = allocate(a, 64 * kKiB);
  std::byte* middle = allocate(a, 64 * kKiB);
  std::byte* last = allocate(a, 64 * kKiB);
  std::byte* guard = allocate(a, 64);  // keeps the three from merging with the segment's free rest
  a.deallocate(first, 64 * kKiB);
  a.deallocate(last, 64 * kKiB);
  a.deallocate(middle, 64 * kKiB);
  EXPECT_EQ(allocate(a, 192 * kKiB), first);
  EXPECT_EQ(a.stats().reserved_bytes, 192 * kKiB + 64);
  a.deallocate(first, 192 * kKiB);
  a.deallocate(guard, 64);
}

TEST_F(CpuAllocatorSegments, OpensAnotherSegmentForWhatFitsNowhere) {
  CpuAllocator a(kSegment);
  std::byte* small = allocate(a, 64);
  std::byte* huge = allocate(a, kSegment);  // the first segment has kSegment - 64 bytes left
  EXPECT_TRUE(huge < small || huge >= small + kSegment);
  EXPECT_EQ(a.stats().reserved_bytes, 64 + kSegment);
  std::memset(huge, 1, kSegment);  // all of it is writable
  a.deallocate(huge, kSegment);
  a.deallocate(small, 64);
}

TEST_F(CpuAllocatorSegments, EmptyCacheLowersReservedToTheHighestLiveBlock) {
  CpuAllocator a(kSegment);
  std::byte* low = allocate(a, 64 * kKiB);
  std::byte* high = allocate(a, 1024 * kKiB);
  std::memset(high, 7, 1024 * kKiB);
  a.deallocate(high, 1024 * kKiB);
  EXPECT_EQ(a.stats().reserved_bytes, 1088 * kKiB) << "freed memory stays for the next step";
  a.empty_cache();
  EXPECT_EQ(a.stats().reserved_bytes, 64 * kKiB);
  std::byte* again = allocate(a, 1024 * kKiB);
  EXPECT_EQ(again, high);
  EXPECT_EQ(a.stats().reserved_bytes, 1088 * kKiB);
  a.deallocate(again, 1024 * kKiB);
  a.deallocate(low, 64 * kKiB);
}

TEST_F(CpuAllocatorSegments, NamesABlockFreedTwice) {
  CpuAllocator a(kSegment);
  void* block = a.allocate(256);
  a.deallocate(block, 256);
  const std::string message = error_of([&] { a.deallocate(block, 256); });
  EXPECT_NE(message.find("is not a block in use (freed twice, or not allocated here)"), std::string::npos) << message;
}

}  // namespace
}  // namespace tapeflow::memory
