#include "engine/memory/cpu_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>

#include "engine/check.h"

namespace tapeflow::memory {

namespace {

// Under AddressSanitizer (make test-asan) every block is its own aligned_alloc, so that ASan's redzones
// around it catch a kernel writing past a tensor; carved from a segment, blocks would abut unguarded.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kBlockPerAllocation = true;
#else
constexpr bool kBlockPerAllocation = false;
#endif

size_t round_up(size_t n, size_t step) { return (n + step - 1) / step * step; }

// Returns the whole pages inside [begin, begin + size) to the system; they read as zeros when next touched.
void release_pages(std::byte* begin, size_t size) {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const auto first = round_up(reinterpret_cast<uintptr_t>(begin), page);
  const auto last = (reinterpret_cast<uintptr_t>(begin) + size) / page * page;
  if (first < last) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

// Maps [begin, begin + size) in one call, before the op that asked for the block writes it (best effort: a
// kernel without MADV_POPULATE_WRITE leaves it to page faults). Each block past a segment's high-water mark is
// about to be written whole, so this commits no more memory than the faults would, and it spares a trap per 4 KB
// page: the notes' CNN's first inference step touches ~150 MB (at 1 thread: ~30 ms less kernel time).
void populate(std::byte* begin, size_t size) {
#ifdef MADV_POPULATE_WRITE
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<uintptr_t>(begin) / page * page;
  madvise(reinterpret_cast<void*>(first), reinterpret_cast<uintptr_t>(begin) + size - first, MADV_POPULATE_WRITE);
#else
  (void)begin, (void)size;
#endif
}

}  // namespace

CpuAllocator& CpuAllocator::instance() {
  static CpuAllocator* allocator = new CpuAllocator();  // never destroyed: tensors may outlive statics
  return *allocator;
}

CpuAllocator::~CpuAllocator() {
  for (const Segment& segment : segments_) munmap(segment.base, segment.size);
}

void* CpuAllocator::allocate(size_t nbytes) {
  const size_t size = std::max(kAlignment, round_up(nbytes, kAlignment));
  std::lock_guard lock(mutex_);
  void* ptr = nullptr;
  if constexpr (kBlockPerAllocation) {
    ptr = std::aligned_alloc(kAlignment, size);
    TAPEFLOW_CHECK(ptr != nullptr, "CPU allocator: out of memory allocating {} bytes ({} in use)", nbytes,
                   stats_.current_bytes);
    stats_.reserved_bytes += size;
  } else {
    ptr = carve_locked(size);
  }
  stats_.current_bytes += size;
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.current_bytes);
  return ptr;
}

std::byte* CpuAllocator::carve_locked(size_t size) {
  const auto fits = [size](const std::pair<std::byte* const, size_t>& free) { return free.second >= size; };
  auto fit = std::find_if(free_chunks_.begin(), free_chunks_.end(), fits);
  if (fit == free_chunks_.end()) {
    add_segment_locked(size);
    fit = std::find_if(free_chunks_.begin(), free_chunks_.end(), fits);
  }
  std::byte* const ptr = fit->first;
  free_chunks_.erase(fit);
  Chunk& chunk = chunks_.at(ptr);
  if (chunk.size > size) {  // the rest stays free, right after the block
    chunks_.emplace(ptr + size, Chunk{chunk.size - size, true, chunk.segment});
    free_chunks_.emplace(ptr + size, chunk.size - size);
    chunk.size = size;
  }
  chunk.free = false;

  Segment& segment = segments_[chunk.segment];
  const size_t end = static_cast<size_t>(ptr + size - segment.base);
  if (end > segment.high_water) {
    stats_.reserved_bytes += end - segment.high_water;
    populate(segment.base + segment.high_water, end - segment.high_water);
    segment.high_water = end;
  }
  return ptr;
}

void CpuAllocator::deallocate(void* ptr, size_t nbytes) {
  if (ptr == nullptr) return;
  std::lock_guard lock(mutex_);
  if constexpr (kBlockPerAllocation) {
    const size_t size = std::max(kAlignment, round_up(nbytes, kAlignment));
    std::free(ptr);
    stats_.current_bytes -= size;
    stats_.reserved_bytes -= size;
    return;
  }
  const auto chunk = chunks_.find(static_cast<std::byte*>(ptr));
  TAPEFLOW_CHECK(chunk != chunks_.end() && !chunk->second.free,
                 "CPU allocator: {} is not a block in use (freed twice, or not allocated here)", ptr);
  stats_.current_bytes -= chunk->second.size;
  mark_free_locked(chunk);
}

void CpuAllocator::mark_free_locked(ChunkMap::iterator chunk) {
  chunk->second.free = true;
  const auto mergeable = [&](ChunkMap::iterator other) {
    return other != chunks_.end() && other->second.free && other->second.segment == chunk->second.segment;
  };
  if (const auto next = std::next(chunk); mergeable(next)) {
    free_chunks_.erase(next->first);
    chunk->second.size += next->second.size;
    chunks_.erase(next);
  }
  if (chunk != chunks_.begin()) {
    if (const auto prev = std::prev(chunk); mergeable(prev)) {
      free_chunks_.erase(prev->first);
      prev->second.size += chunk->second.size;
      chunks_.erase(chunk);
      chunk = prev;
    }
  }
  free_chunks_.emplace(chunk->first, chunk->second.size);
}

void CpuAllocator::add_segment_locked(size_t min_bytes) {
  const size_t size = std::max(segment_bytes_, round_up(min_bytes, size_t{2} << 20));
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  TAPEFLOW_CHECK(base != MAP_FAILED, "CPU allocator: out of memory: cannot map {} bytes for a block of {} ({} in use)",
                 size, min_bytes, stats_.current_bytes);
  auto* const bytes = static_cast<std::byte*>(base);
  segments_.push_back({bytes, size, 0});
  chunks_.emplace(bytes, Chunk{size, true, segments_.size() - 1});
  free_chunks_.emplace(bytes, size);
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
  for (Segment& segment : segments_) segment.high_water = 0;
  for (const auto& [ptr, chunk] : chunks_) {
    Segment& segment = segments_[chunk.segment];
    if (chunk.free) {
      release_pages(ptr, chunk.size);
    } else {
      segment.high_water = std::max(segment.high_water, static_cast<size_t>(ptr + chunk.size - segment.base));
    }
  }
  stats_.reserved_bytes = 0;
  for (const Segment& segment : segments_) stats_.reserved_bytes += segment.high_water;
}

}  // namespace tapeflow::memory
