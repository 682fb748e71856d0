#include "engine/memory/cpu_allocator.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <new>

#include "engine/check.h"

namespace tapeflow::memory {

namespace {
constexpr size_t kAlignment = 64;
}

CpuAllocator& CpuAllocator::instance() {
  static CpuAllocator* allocator = new CpuAllocator();  // never destroyed: tensors may outlive statics
  return *allocator;
}

CpuAllocator::~CpuAllocator() { empty_cache(); }

size_t CpuAllocator::size_class(size_t nbytes) {
  if (nbytes <= 256) return std::max<size_t>(kAlignment, (nbytes + kAlignment - 1) / kAlignment * kAlignment);
  const size_t power = std::bit_floor(nbytes - 1);  // nbytes in (power, 2 * power]
  const size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

void* CpuAllocator::allocate(size_t nbytes) {
  const size_t size = size_class(nbytes);
  std::lock_guard lock(mutex_);
  void* ptr = nullptr;
  auto it = free_blocks_.find(size);
  if (it != free_blocks_.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
  } else {
    ptr = std::aligned_alloc(kAlignment, size);
    if (ptr == nullptr) {
      release_cache_locked();  // give the cache back and try once more before failing
      ptr = std::aligned_alloc(kAlignment, size);
    }
    TAPEFLOW_CHECK(ptr != nullptr, "CPU allocator: out of memory allocating {} bytes ({} bytes in use)", nbytes,
                   stats_.current_bytes);
    stats_.reserved_bytes += size;
  }
  stats_.current_bytes += size;
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.current_bytes);
  return ptr;
}

void CpuAllocator::deallocate(void* ptr, size_t nbytes) {
  if (ptr == nullptr) return;
  const size_t size = size_class(nbytes);
  std::lock_guard lock(mutex_);
  stats_.current_bytes -= size;
  free_blocks_[size].push_back(ptr);
}

MemoryStats CpuAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CpuAllocator::reset_peak() {
  std::lock_guard lock(mutex_);
  stats_.peak_bytes = stats_.current_bytes;
}

void CpuAllocator::empty_cache() {
  std::lock_guard lock(mutex_);
  release_cache_locked();
}

void CpuAllocator::release_cache_locked() {
  for (auto& [size, blocks] : free_blocks_) {
    for (void* p : blocks) std::free(p);
    stats_.reserved_bytes -= size * blocks.size();
  }
  free_blocks_.clear();
}

}  // namespace tapeflow::memory
