#pragma once
// Process-wide settings: threads and memory statistics.
#include <cstddef>

#include "tapeflow/device.h"

namespace tapeflow {

// Threads for OpenMP loops and OpenBLAS; 0 means the library's default (all cores).
void set_num_threads(int threads);
int num_threads();

struct MemoryStats {
  size_t current_bytes = 0;   // bytes in live tensors
  size_t peak_bytes = 0;      // highest current_bytes since the last reset
  size_t reserved_bytes = 0;  // bytes held by the allocator, cached blocks included
};
MemoryStats memory_stats(Device device = Device::cpu());
void reset_peak_memory(Device device = Device::cpu());
// Returns cached but unused blocks to the system.
void empty_cache(Device device = Device::cpu());

}  // namespace tapeflow
