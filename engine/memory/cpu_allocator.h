#pragma once
// The CPU allocator: 64-byte aligned blocks, cached by size class so that a training step reuses the
// previous step's buffers instead of paying mmap/munmap page faults for every large tensor.
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "tapeflow/runtime.h"

namespace tapeflow::memory {

class CpuAllocator {
 public:
  static CpuAllocator& instance();

  void* allocate(size_t nbytes);
  void deallocate(void* ptr, size_t nbytes);
  MemoryStats stats() const;
  void reset_peak();
  void empty_cache();

  // Sizes are rounded up to one of four steps per power of two (at most 25% slack).
  static size_t size_class(size_t nbytes);

 private:
  CpuAllocator() = default;
  ~CpuAllocator();
  void release_cache_locked();
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_blocks_;  // size class -> cached blocks
  MemoryStats stats_;
};

}  // namespace tapeflow::memory
