#pragma once
// A caching allocator over a raw allocation function: requests are rounded up to size classes, and freed
// blocks are kept per class and handed out again without another raw call. Device-neutral: the CUDA
// allocator (cuda_allocator.cpp) puts it over cudaMalloc, the tests over a counting fake.
//
// Stream order: a freed block may go to the very next request, with no synchronisation, because all
// work on a device runs on its one compute stream — the next user's kernels queue behind the last
// user's. Raw frees (cudaFree) synchronise the device themselves.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tapeflow/runtime.h"

namespace tapeflow::memory {

struct RawAllocator {
  std::function<void*(size_t)> allocate;  // nullptr when out of memory; other failures throw
  std::function<void(void*, size_t)> release;
};

class CachingAllocator {
 public:
  // kPassThrough: one raw call per allocate and per deallocate, of the exact size requested, so that
  // memory checkers (compute-sanitizer) see every buffer's true bounds.
  enum class Mode { kCaching, kPassThrough };

  // `name` ("CUDA:0") prefixes out-of-memory errors.
  CachingAllocator(RawAllocator raw, Mode mode, std::string name);
  ~CachingAllocator();  // returns the cached blocks; blocks still in use stay their users'
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // When the raw allocator runs out of memory, the cache is released and the request tried once more
  // before an Error names the size and what is in use.
  void* allocate(size_t nbytes);
  void deallocate(void* ptr, size_t nbytes);  // nbytes as passed to allocate

  MemoryStats stats() const;
  void reset_peak();
  void empty_cache();
  Mode mode() const { return mode_; }

  // Up to 1 MiB: multiples of 512 bytes. Above: four steps per power of two (at most 25% slack).
  static size_t size_class(size_t nbytes);

 private:
  size_t block_size(size_t nbytes) const { return mode_ == Mode::kCaching ? size_class(nbytes) : nbytes; }
  void release_cache_locked();

  RawAllocator raw_;
  Mode mode_;
  std::string name_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_blocks_;  // block size -> cached blocks
  MemoryStats stats_;
};

}  // namespace tapeflow::memory
