#include "engine/memory/pinned_host_allocator.h"

#ifdef TAPEFLOW_WITH_CUDA

#include <algorithm>

#include "engine/capture.h"
#include "kernels/cuda_runtime.h"

namespace tapeflow::memory {

PinnedHostAllocator& PinnedHostAllocator::instance() {
  static PinnedHostAllocator* allocator = new PinnedHostAllocator();  // never destroyed, as the CUDA ones
  return *allocator;
}

PinnedHostAllocator::PinnedHostAllocator()
    : cache_({[](size_t n) { return kernels::cuda::malloc_pinned_host(n); },
              [](void* p, size_t) { kernels::cuda::free_pinned_host(p); }},
             CachingAllocator::Mode::kCaching, "pinned host memory") {}

void* PinnedHostAllocator::allocate(size_t nbytes) {
  std::lock_guard lock(mutex_);
  retire_finished_locked();
  void* ptr = cache_.allocate(nbytes);
  live_[static_cast<const char*>(ptr)] = Live{nbytes, {}};
  return ptr;
}

void PinnedHostAllocator::deallocate(void* ptr, size_t nbytes) {
  if (ptr == nullptr) return;
  const capture::QueueingOutsideCaptures queueing;  // its events must not be recorded into a graph
  std::lock_guard lock(mutex_);
  const auto it = live_.find(static_cast<const char*>(ptr));
  std::vector<int> read_on = it == live_.end() ? std::vector<int>{} : std::move(it->second.read_on);
  if (it != live_.end()) live_.erase(it);
  if (read_on.empty()) return cache_.deallocate(ptr, nbytes);
  Pending pending{ptr, nbytes, {}};
  for (int device : read_on) pending.events.push_back(kernels::cuda::record_event(device));
  pending_.push_back(std::move(pending));
}

bool PinnedHostAllocator::begin_async_read(const void* ptr, size_t nbytes, int device) {
  const char* begin = static_cast<const char*>(ptr);
  std::lock_guard lock(mutex_);
  auto it = live_.upper_bound(begin);  // the first block starting after ptr
  if (it == live_.begin()) return false;
  --it;
  if (begin + nbytes > it->first + it->second.nbytes) return false;
  std::vector<int>& read_on = it->second.read_on;
  if (std::find(read_on.begin(), read_on.end(), device) == read_on.end()) read_on.push_back(device);
  return true;
}

void PinnedHostAllocator::retire_finished_locked() {
  std::erase_if(pending_, [this](Pending& p) {
    if (!std::all_of(p.events.begin(), p.events.end(), kernels::cuda::event_done)) return false;
    for (void* event : p.events) kernels::cuda::destroy_event(event);
    cache_.deallocate(p.ptr, p.nbytes);
    return true;
  });
}

}  // namespace tapeflow::memory

#endif
