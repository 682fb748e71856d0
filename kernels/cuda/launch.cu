#include <algorithm>
#include <array>
#include <mutex>

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
}  // namespace

cudaStream_t stream_for(int device) {
  TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
  return compute_stream(device);
}

int64_t blocks_to_fill(int device) { return int64_t{sm_count(device)} * kBlocksPerSm; }

unsigned grid_for(int device, int64_t items, int64_t items_per_block) {
  const int64_t needed = (items + items_per_block - 1) / items_per_block;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min(needed, blocks_to_fill(device))));
}

}  // namespace tapeflow::kernels::cuda
