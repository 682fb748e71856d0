#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <tuple>

#include "kernels/cuda/launch.cuh"

namespace tapeflow::kernels::cuda {

namespace {
constexpr int kMaxDevices = 64;
constexpr int64_t kBlocksPerSm = 8;  // resident 256-thread blocks per SM on sm_90, with room to hide latency

int sm_count(int device) {
  static std::array<int, kMaxDevices> counts{};
  static std::array<std::once_flag, kMaxDevices> queried;
  std::call_once(queried.at(static_cast<size_t>(device)), [device] {
    TAPEFLOW_CUDA_CHECK(
        cudaDeviceGetAttribute(&counts[static_cast<size_t>(device)], cudaDevAttrMultiProcessorCount, device));
  });
  return counts[static_cast<size_t>(device)];
}

// Blocks for `items` at `items_per_block` each, between 1 and `most`.
unsigned blocks_for(int64_t items, int64_t items_per_block, int64_t most) {
  const int64_t needed = (items + items_per_block - 1) / items_per_block;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min(needed, most)));
}
}  // namespace

cudaStream_t stream_for(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  return compute_stream(device);
}

int64_t blocks_to_fill(int device) { return int64_t{sm_count(device)} * kBlocksPerSm; }

unsigned grid_for(int device, int64_t items, int64_t items_per_block) {
  return blocks_for(items, items_per_block, blocks_to_fill(device));
}

unsigned resident_grid_for(int device, const void* kernel, int threads, int64_t items, int64_t items_per_block,
                           size_t smem) {
  // The occupancy query reads the kernel's attributes: asked once per kernel and launch shape.
  using Key = std::tuple<int, const void*, int, size_t>;
  static std::mutex mutex;
  static std::map<Key, int64_t> resident;
  const Key key{device, kernel, threads, smem};
  int64_t blocks = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto known = resident.find(key); known != resident.end()) {
      blocks = known->second;
    } else {  // kept only once the query has succeeded
      int per_sm = 0;
      TAPEFLOW_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, smem));
      blocks = resident.emplace(key, int64_t{sm_count(device)} * std::max(per_sm, 1)).first->second;
    }
  }
  return blocks_for(items, items_per_block, blocks);
}

}  // namespace tapeflow::kernels::cuda
