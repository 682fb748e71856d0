// The caching allocator's policy (size classes, reuse, statistics, out-of-memory retry, pass-through)
// over a fake raw allocator, so that it runs in CI without a GPU; then the CUDA device allocator on a GPU.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "engine/memory/caching_allocator.h"
#include "engine/memory/cuda_allocator.h"
#include "error_of.h"
#include "tapeflow/runtime.h"
#include "tapeflow/tensor.h"

namespace tapeflow::memory {
namespace {

using tapeflow::testing::error_of;

// Hands out distinct fake addresses from a fixed capacity and counts raw calls.
struct FakeDevice {
  size_t capacity = size_t{1} << 40;
  size_t in_use = 0;
  int allocations = 0, releases = 0;
  std::set<size_t> sizes_asked;
  uintptr_t next = 0x1000;

  RawAllocator raw() {
    return {[this](size_t n) -> void* {
              sizes_asked.insert(n);
              if (in_use + n > capacity) return nullptr;
              in_use += n;
              ++allocations;
              void* p = reinterpret_cast<void*>(next);
              next += n;
              return p;
            },
            [this](void*, size_t n) {
              in_use -= n;
              ++releases;
            }};
  }
};

TEST(CachingAllocator, SizeClassesRoundUpWithBoundedSlack) {
  EXPECT_EQ(CachingAllocator::size_class(0), 512u);
  EXPECT_EQ(CachingAllocator::size_class(1), 512u);
  EXPECT_EQ(CachingAllocator::size_class(512), 512u);
  EXPECT_EQ(CachingAllocator::size_class(513), 1024u);
  EXPECT_EQ(CachingAllocator::size_class(size_t{1} << 20), size_t{1} << 20);
  // Above 1 MiB: steps of a quarter of the power of two below.
  EXPECT_EQ(CachingAllocator::size_class((size_t{1} << 20) + 1), (size_t{1} << 20) + (size_t{1} << 18));
  EXPECT_EQ(CachingAllocator::size_class(size_t{3} << 20), size_t{3} << 20);
  size_t previous = 0;
  for (size_t n = 1; n < (size_t{1} << 30); n = n * 3 / 2 + 7) {
    const size_t c = CachingAllocator::size_class(n);
    EXPECT_GE(c, n);
    EXPECT_GE(c, previous) << "size classes must not shrink as requests grow, at " << n;
    if (n > (size_t{1} << 20)) {
      EXPECT_LE(c, n + n / 4) << "more than 25% slack at " << n;
    }
    EXPECT_EQ(CachingAllocator::size_class(c), c) << "a class must be its own class";
    previous = c;
  }
}

TEST(CachingAllocator, ReusesFreedBlocksOfTheSameClassWithoutRawCalls) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
  void* p = a.allocate(1000);
  a.deallocate(p, 1000);
  EXPECT_EQ(a.allocate(1024), p) << "1000 and 1024 bytes share the 1024-byte class";
  EXPECT_EQ(dev.allocations, 1);
  void* q = a.allocate(4096);  // another class: a new block
  EXPECT_NE(q, p);
  EXPECT_EQ(dev.allocations, 2);
  EXPECT_EQ(dev.releases, 0);
}

TEST(CachingAllocator, TracksCurrentPeakAndReservedBytes) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
  void* p = a.allocate(1000);    // 1024
  void* q = a.allocate(100000);  // 100352
  EXPECT_EQ(a.stats().current_bytes, 1024u + 100352u);
  a.deallocate(q, 100000);
  MemoryStats s = a.stats();
  EXPECT_EQ(s.current_bytes, 1024u);
  EXPECT_EQ(s.peak_bytes, 1024u + 100352u);
  EXPECT_EQ(s.reserved_bytes, 1024u + 100352u) << "the freed block stays cached";
  a.reset_peak();
  EXPECT_EQ(a.stats().peak_bytes, 1024u);
  a.empty_cache();
  s = a.stats();
  EXPECT_EQ(s.reserved_bytes, 1024u);
  EXPECT_EQ(dev.releases, 1);
  EXPECT_EQ(dev.in_use, 1024u);
  a.deallocate(p, 1000);
}

TEST(CachingAllocator, FreesTheCacheAndRetriesWhenTheDeviceIsFull) {
  FakeDevice dev;
  dev.capacity = 8 << 20;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
  void* p = a.allocate(6 << 20);
  a.deallocate(p, 6 << 20);  // cached: 6 MiB reserved, none in use
  void* q = a.allocate(5 << 20);  // does not fit beside the cached block, fits once it is freed
  EXPECT_NE(q, nullptr);
  EXPECT_EQ(dev.releases, 1);
  EXPECT_EQ(a.stats().reserved_bytes, size_t{5} << 20);
  EXPECT_EQ(error_of([&] { a.allocate(4 << 20); }),
            "fake: out of memory allocating 4194304 bytes (5242880 bytes in use, 5242880 reserved)");
  EXPECT_EQ(a.stats().current_bytes, size_t{5} << 20) << "a failed allocation changes no statistics";
  a.deallocate(q, 5 << 20);
}

TEST(CachingAllocator, PassThroughCallsTheRawAllocatorWithExactSizes) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kPassThrough, "fake");
  void* p = a.allocate(1000);
  EXPECT_EQ(dev.sizes_asked, std::set<size_t>{1000}) << "exact sizes, so memcheck sees true bounds";
  EXPECT_EQ(a.stats().current_bytes, 1000u);
  a.deallocate(p, 1000);
  EXPECT_EQ(dev.releases, 1);
  EXPECT_EQ(a.stats().reserved_bytes, 0u);
  a.allocate(1000);
  EXPECT_EQ(dev.allocations, 2) << "nothing is cached";
}

TEST(CachingAllocator, DestructorReturnsTheCache) {
  FakeDevice dev;
  {
    CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
    a.deallocate(a.allocate(10), 10);
    a.deallocate(a.allocate(1 << 22), 1 << 22);
  }
  EXPECT_EQ(dev.releases, 2);
  EXPECT_EQ(dev.in_use, 0u);
}

TEST(CachingAllocatorPools, RoutedAllocationsUseThePoolsOwnBlocksOnly) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
  void* shared = a.allocate(4096);
  a.deallocate(shared, 4096);  // cached in the shared cache
  const CachingAllocator::PoolId pool = a.create_pool();
  void* in_pool = nullptr;
  {
    const CachingAllocator::PoolRouting routing(a, pool);
    in_pool = a.allocate(4096);
    EXPECT_NE(in_pool, shared) << "a pool never takes a block of the shared cache";
    a.deallocate(in_pool, 4096);
    EXPECT_EQ(a.allocate(4096), in_pool) << "inside the pool, freed blocks are reused (stream order holds)";
  }
  EXPECT_EQ(a.allocate(4096), shared) << "outside the routing, the shared cache serves again";
  a.deallocate(in_pool, 4096);  // freed outside the routing: back to its pool all the same
  EXPECT_NE(a.allocate(4096), in_pool) << "the pool's blocks are never handed to anyone else";
  {
    const CachingAllocator::PoolRouting routing(a, pool);
    EXPECT_EQ(a.allocate(4096), in_pool);
  }
}

TEST(CachingAllocatorPools, EmptyCacheKeepsPoolsAndReleasePoolReturnsThem) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
  const CachingAllocator::PoolId pool = a.create_pool();
  void *kept = nullptr, *freed = nullptr;
  {
    const CachingAllocator::PoolRouting routing(a, pool);
    kept = a.allocate(1000);
    freed = a.allocate(100000);
    a.deallocate(freed, 100000);
  }
  a.empty_cache();
  EXPECT_EQ(dev.releases, 0) << "a pool's free blocks belong to its graph, not to the cache";
  a.release_pool(pool);
  EXPECT_EQ(dev.releases, 1) << "the free block goes back; the one in use stays its user's";
  a.deallocate(kept, 1000);
  EXPECT_EQ(dev.releases, 2) << "a block of a released pool goes back when freed";
  EXPECT_EQ(dev.in_use, 0u);
  EXPECT_EQ(a.stats().reserved_bytes, 0u);
}

TEST(CachingAllocatorPools, NestedRoutingRestoresTheOuterOne) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kCaching, "fake");
  const CachingAllocator::PoolId outer = a.create_pool(), inner = a.create_pool();
  const CachingAllocator::PoolRouting to_outer(a, outer);
  void* p = a.allocate(512);
  {
    const CachingAllocator::PoolRouting to_inner(a, inner);
    a.deallocate(a.allocate(512), 512);
  }
  a.deallocate(p, 512);
  EXPECT_EQ(a.allocate(512), p) << "back in the outer pool";
}

TEST(CachingAllocatorPools, PassThroughCannotMakeAPool) {
  FakeDevice dev;
  CachingAllocator a(dev.raw(), CachingAllocator::Mode::kPassThrough, "fake");
  EXPECT_NE(error_of([&] { a.create_pool(); }).find("needs the caching allocator"), std::string::npos);
}

TEST(CudaAllocatorMode, ParsesTheEnvironmentSwitch) {
  EXPECT_EQ(cuda_allocator_mode(nullptr), CachingAllocator::Mode::kCaching);
  EXPECT_EQ(cuda_allocator_mode(""), CachingAllocator::Mode::kCaching);
  EXPECT_EQ(cuda_allocator_mode("caching"), CachingAllocator::Mode::kCaching);
  EXPECT_EQ(cuda_allocator_mode("cudaMalloc"), CachingAllocator::Mode::kPassThrough);
  EXPECT_EQ(error_of([] { cuda_allocator_mode("malloc"); }),
            "TAPEFLOW_CUDA_ALLOCATOR: expected \"caching\" or \"cudaMalloc\", found \"malloc\"");
}

// --- on a GPU ---

TEST(CudaAllocator, ReportsAndReusesDeviceMemory) {
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  const Device gpu = Device::cuda();
  const bool caching = cuda_allocator_mode(std::getenv("TAPEFLOW_CUDA_ALLOCATOR")) == CachingAllocator::Mode::kCaching;
  const MemoryStats before = memory_stats(gpu);
  reset_peak_memory(gpu);
  const void* first = nullptr;
  {
    Tensor t = Tensor::empty({1000, 1000}, DType::kFloat32, gpu);  // 4 MB
    first = t.raw_data();
    EXPECT_GE(memory_stats(gpu).current_bytes, before.current_bytes + 4000000);
  }
  EXPECT_EQ(memory_stats(gpu).current_bytes, before.current_bytes);
  EXPECT_GE(memory_stats(gpu).peak_bytes, before.current_bytes + 4000000);
  const size_t reserved = memory_stats(gpu).reserved_bytes;
  {
    Tensor t = Tensor::empty({1000, 1000}, DType::kFloat32, gpu);
    if (caching) {
      EXPECT_EQ(t.raw_data(), first) << "the cached block comes back";
      EXPECT_EQ(memory_stats(gpu).reserved_bytes, reserved);
    }
  }
  empty_cache(gpu);
  EXPECT_EQ(memory_stats(gpu).reserved_bytes, memory_stats(gpu).current_bytes);
}

TEST(CudaAllocator, TensorsSurviveReuseAcrossQueuedWork) {
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  // Free a tensor whose copy is still queued, then allocate (likely the same block) and write: stream
  // order must keep the first copy's data intact.
  std::vector<float> values(1 << 20);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i % 1000);
  Tensor host = Tensor::from_blob(values.data(), {int64_t(values.size())}, DType::kFloat32, Device::cpu());
  Tensor kept;
  {
    Tensor a = host.to(Device::cuda());
    kept = a.clone();
  }
  Tensor b = (host.clone()).to(Device::cuda());
  EXPECT_EQ(kept.to(Device::cpu()).numpy<float>(), values);
  EXPECT_EQ(b.to(Device::cpu()).numpy<float>(), values);
}

}  // namespace
}  // namespace tapeflow::memory
