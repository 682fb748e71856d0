#pragma once
// A caching allocator over a raw allocation function: requests are rounded up to size classes, and freed
// blocks are kept per class and handed out again without another raw call. Device-neutral: the CUDA
// allocator (cuda_allocator.cpp) puts it over cudaMalloc, the tests over a counting fake.
//
// Stream order: a freed block may go to the very next request, with no synchronisation, because all
// work on a device runs on its one compute stream — the next user's kernels queue behind the last
// user's. Raw frees (cudaFree) synchronise the device themselves.
//
// Private pools serve a captured CUDA graph (engine/function.cpp): while a thread is routed to a pool,
// its allocations come from that pool's blocks only, and a pool's blocks go back to the pool when
// freed, whoever frees them. The graph replays with the addresses it captured, so its blocks must never
// be handed to anyone else; the pool keeps them until release_pool.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
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
  void empty_cache();  // the shared cache only: a pool's free blocks are its graph's
  Mode mode() const { return mode_; }

  using PoolId = uint64_t;
  PoolId create_pool();  // in kPassThrough mode an Error: a graph cannot own exact-size buffers
  // Returns the pool's free blocks to the raw allocator; blocks of it still in use are returned when freed.
  void release_pool(PoolId pool);

  // While alive, this thread's allocations from `allocator` come from `pool`.
  class PoolRouting {
   public:
    PoolRouting(CachingAllocator& allocator, PoolId pool);
    ~PoolRouting();
    PoolRouting(const PoolRouting&) = delete;
    PoolRouting& operator=(const PoolRouting&) = delete;

   private:
    const CachingAllocator* previous_allocator_;
    PoolId previous_pool_;
  };

  // Up to 1 MiB: multiples of 512 bytes. Above: four steps per power of two (at most 25% slack).
  static size_t size_class(size_t nbytes);

 private:
  using FreeBlocks = std::map<size_t, std::vector<void*>>;  // block size -> cached blocks
  struct Pool {
    FreeBlocks free_blocks;
    bool released = false;
  };

  size_t block_size(size_t nbytes) const { return mode_ == Mode::kCaching ? size_class(nbytes) : nbytes; }
  void* raw_allocate_locked(size_t nbytes, size_t size, bool may_release_cache);
  void release_blocks_locked(FreeBlocks& blocks);
  PoolId routed_pool() const;  // 0: none

  RawAllocator raw_;
  Mode mode_;
  std::string name_;
  mutable std::mutex mutex_;
  FreeBlocks free_blocks_;
  std::map<PoolId, Pool> pools_;
  std::unordered_map<void*, PoolId> pool_of_;  // every block a pool has allocated and not yet released
  PoolId next_pool_ = 1;
  MemoryStats stats_;

  // The routing of this thread (PoolRouting).
  static thread_local const CachingAllocator* routed_allocator_;
  static thread_local PoolId routed_pool_;
};

}  // namespace tapeflow::memory
