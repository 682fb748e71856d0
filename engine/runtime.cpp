#include "tapeflow/runtime.h"

#include <cblas.h>
#include <omp.h>

#include "engine/check.h"
#include "engine/memory/cpu_allocator.h"

namespace tapeflow {

void set_num_threads(int threads) {
  TAPEFLOW_CHECK(threads >= 0, "set_num_threads: expected a count >= 0 (0 = all cores), found {}", threads);
  const int n = threads == 0 ? omp_get_num_procs() : threads;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

namespace {
void check_cpu(const char* what, Device device) {
  if (!device.is_cpu()) throw NotImplemented(fmt::format("{} for {} (arrives with the CUDA caching allocator)", what, device.to_string()));
}
}  // namespace

MemoryStats memory_stats(Device device) {
  check_cpu("memory_stats", device);
  return memory::CpuAllocator::instance().stats();
}

void reset_peak_memory(Device device) {
  check_cpu("reset_peak_memory", device);
  memory::CpuAllocator::instance().reset_peak();
}

void empty_cache(Device device) {
  check_cpu("empty_cache", device);
  memory::CpuAllocator::instance().empty_cache();
}

}  // namespace tapeflow
