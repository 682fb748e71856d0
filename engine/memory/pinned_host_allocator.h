#pragma once
// Page-locked host memory for input batches, cached like device memory. A host->device copy from a
// pinned block runs asynchronously; the block then goes back to the cache only once the device's stream
// has passed the copy, so that the next batch written into it cannot overwrite data still in flight.
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "engine/memory/caching_allocator.h"

namespace tapeflow::memory {

class PinnedHostAllocator {
 public:
  static PinnedHostAllocator& instance();  // only in builds with CUDA and a GPU present

  void* allocate(size_t nbytes);
  void deallocate(void* ptr, size_t nbytes);
  // True when [ptr, ptr + nbytes) lies inside a live pinned block; the block is then remembered as read
  // by an async copy on `device`.
  bool begin_async_read(const void* ptr, size_t nbytes, int device);
  MemoryStats stats() const { return cache_.stats(); }
  void empty_cache() { cache_.empty_cache(); }

 private:
  PinnedHostAllocator();
  struct Live {
    size_t nbytes;
    std::vector<int> read_on;  // devices whose streams read the block asynchronously
  };
  struct Pending {
    void* ptr;
    size_t nbytes;
    std::vector<void*> events;  // kernels::cuda::Event, one per device in read_on
  };
  void retire_finished_locked();

  CachingAllocator cache_;
  std::mutex mutex_;
  std::map<const char*, Live> live_;  // block start -> block
  std::vector<Pending> pending_;      // freed, waiting for their copies
};

}  // namespace tapeflow::memory
