#include "engine/memory/caching_allocator.h"

#include <algorithm>
#include <bit>

#include "engine/check.h"

namespace tapeflow::memory {

namespace {
constexpr size_t kSmallStep = 512;         // cudaMalloc itself aligns to 256 bytes
constexpr size_t kSmallLimit = size_t{1} << 20;
}  // namespace

CachingAllocator::CachingAllocator(RawAllocator raw, Mode mode, std::string name)
    : raw_(std::move(raw)), mode_(mode), name_(std::move(name)) {}

CachingAllocator::~CachingAllocator() { empty_cache(); }

size_t CachingAllocator::size_class(size_t nbytes) {
  if (nbytes <= kSmallLimit) return std::max(kSmallStep, (nbytes + kSmallStep - 1) / kSmallStep * kSmallStep);
  const size_t power = std::bit_floor(nbytes - 1);  // nbytes in (power, 2 * power]
  const size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t nbytes) {
  const size_t size = block_size(nbytes);
  std::lock_guard lock(mutex_);
  void* ptr = nullptr;
  auto cached = free_blocks_.find(size);
  if (cached != free_blocks_.end() && !cached->second.empty()) {
    ptr = cached->second.back();
    cached->second.pop_back();
  } else {
    ptr = raw_.allocate(size);
    if (ptr == nullptr && stats_.reserved_bytes > stats_.current_bytes) {
      release_cache_locked();  // cached blocks of other sizes may be what stands in the way
      ptr = raw_.allocate(size);
    }
    TAPEFLOW_CHECK(ptr != nullptr, "{}: out of memory allocating {} bytes ({} bytes in use, {} reserved)", name_,
                   nbytes, stats_.current_bytes, stats_.reserved_bytes);
    stats_.reserved_bytes += size;
  }
  stats_.current_bytes += size;
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.current_bytes);
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
  free_blocks_[size].push_back(ptr);
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
  release_cache_locked();
}

void CachingAllocator::release_cache_locked() {
  for (auto& [size, blocks] : free_blocks_) {
    for (void* p : blocks) raw_.release(p, size);
    stats_.reserved_bytes -= size * blocks.size();
  }
  free_blocks_.clear();
}

}  // namespace tapeflow::memory
