#include "engine/memory/caching_allocator.h"

#include <algorithm>
#include <bit>

#include "engine/check.h"

namespace tapeflow::memory {

namespace {
constexpr size_t kSmallStep = 512;         // cudaMalloc itself aligns to 256 bytes
constexpr size_t kSmallLimit = size_t{1} << 20;
}  // namespace

thread_local const CachingAllocator* CachingAllocator::routed_allocator_ = nullptr;
thread_local CachingAllocator::PoolId CachingAllocator::routed_pool_ = 0;

CachingAllocator::CachingAllocator(RawAllocator raw, Mode mode, std::string name)
    : raw_(std::move(raw)), mode_(mode), name_(std::move(name)) {}

CachingAllocator::~CachingAllocator() {
  empty_cache();
  for (auto& [id, pool] : pools_) release_blocks_locked(pool.free_blocks);
}

size_t CachingAllocator::size_class(size_t nbytes) {
  if (nbytes <= kSmallLimit) return std::max(kSmallStep, (nbytes + kSmallStep - 1) / kSmallStep * kSmallStep);
  const size_t power = std::bit_floor(nbytes - 1);  // nbytes in (power, 2 * power]
  const size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t nbytes) {
  const size_t size = block_size(nbytes);
  const PoolId pool = routed_pool();
  std::lock_guard lock(mutex_);
  FreeBlocks& blocks = pool == 0 ? free_blocks_ : pools_.at(pool).free_blocks;
  void* ptr = nullptr;
  auto cached = blocks.find(size);
  if (cached != blocks.end() && !cached->second.empty()) {
    ptr = cached->second.back();
    cached->second.pop_back();
  } else {
    // Releasing the shared cache would free memory during a graph's capture, which the capture forbids.
    ptr = raw_allocate_locked(nbytes, size, /*may_release_cache=*/pool == 0);
    if (pool != 0) pool_of_.emplace(ptr, pool);
  }
  stats_.current_bytes += size;
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.current_bytes);
  return ptr;
}

void* CachingAllocator::raw_allocate_locked(size_t nbytes, size_t size, bool may_release_cache) {
  void* ptr = raw_.allocate(size);
  if (ptr == nullptr && may_release_cache && stats_.reserved_bytes > stats_.current_bytes) {
    release_blocks_locked(free_blocks_);  // cached blocks of other sizes may be what stands in the way
    ptr = raw_.allocate(size);
  }
  TAPEFLOW_CHECK(ptr != nullptr, "{}: out of memory allocating {} bytes ({} bytes in use, {} reserved)", name_, nbytes,
                 stats_.current_bytes, stats_.reserved_bytes);
  stats_.reserved_bytes += size;
  return ptr;
}

void CachingAllocator::deallocate(void* ptr, size_t nbytes) {
  if (ptr == nullptr) return;
  const size_t size = block_size(nbytes);
  std::lock_guard lock(mutex_);
  stats_.current_bytes -= size;
  if (mode_ == Mode::kPassThrough) {
    stats_.reserved_bytes -= size;
    raw_.release(ptr, size);
    return;
  }
  if (!pool_of_.empty()) {
    if (auto owner = pool_of_.find(ptr); owner != pool_of_.end()) {
      const PoolId id = owner->second;
      Pool& pool = pools_.at(id);
      if (!pool.released) return pool.free_blocks[size].push_back(ptr);
      pool_of_.erase(owner);  // the pool's graph is gone: the block goes back at once
      stats_.reserved_bytes -= size;
      raw_.release(ptr, size);
      if (std::none_of(pool_of_.begin(), pool_of_.end(), [id](const auto& b) { return b.second == id; }))
        pools_.erase(id);
      return;
    }
  }
  free_blocks_[size].push_back(ptr);
}

CachingAllocator::PoolId CachingAllocator::create_pool() {
  TAPEFLOW_CHECK(mode_ == Mode::kCaching,
                 "{}: capturing a CUDA graph needs the caching allocator, but TAPEFLOW_CUDA_ALLOCATOR=cudaMalloc "
                 "(pass-through) is set",
                 name_);
  std::lock_guard lock(mutex_);
  const PoolId id = next_pool_++;
  pools_.emplace(id, Pool{});
  return id;
}

void CachingAllocator::release_pool(PoolId id) {
  std::lock_guard lock(mutex_);
  auto pool = pools_.find(id);
  if (pool == pools_.end()) return;
  for (const auto& [size, blocks] : pool->second.free_blocks)
    for (void* p : blocks) pool_of_.erase(p);
  release_blocks_locked(pool->second.free_blocks);
  const bool in_use = std::any_of(pool_of_.begin(), pool_of_.end(), [&](const auto& b) { return b.second == id; });
  if (in_use) {
    pool->second.released = true;
  } else {
    pools_.erase(pool);
  }
}

CachingAllocator::PoolId CachingAllocator::routed_pool() const { return routed_allocator_ == this ? routed_pool_ : 0; }

CachingAllocator::PoolRouting::PoolRouting(CachingAllocator& allocator, PoolId pool)
    : previous_allocator_(routed_allocator_), previous_pool_(routed_pool_) {
  routed_allocator_ = &allocator;
  routed_pool_ = pool;
}

CachingAllocator::PoolRouting::~PoolRouting() {
  routed_allocator_ = previous_allocator_;
  routed_pool_ = previous_pool_;
}

MemoryStats CachingAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard lock(mutex_);
  stats_.peak_bytes = stats_.current_bytes;
}

void CachingAllocator::empty_cache() {
  std::lock_guard lock(mutex_);
  release_blocks_locked(free_blocks_);
}

void CachingAllocator::release_blocks_locked(FreeBlocks& blocks) {
  for (auto& [size, list] : blocks) {
    for (void* p : list) raw_.release(p, size);
    stats_.reserved_bytes -= size * list.size();
  }
  blocks.clear();
}

}  // namespace tapeflow::memory
