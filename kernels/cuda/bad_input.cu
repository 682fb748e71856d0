#include "kernels/cuda/bad_input.cuh"

#include <array>
#include <atomic>
#include <mutex>
#include <string>

#include "kernels/cuda/check.cuh"
#include "kernels/cuda/stream.cuh"

namespace tapeflow::kernels::cuda {

namespace {

struct Mailbox {
  BadInputReport* on_device = nullptr;
  BadInputReport* pinned = nullptr;  // where each wait copies the report to
  std::mutex mutex;                  // one wait at a time reads `pinned`
};

Mailbox& mailbox(int device) {
  constexpr int kMaxDevices = 64;
  static std::array<Mailbox, kMaxDevices> boxes;
  static std::array<std::once_flag, kMaxDevices> created;
  Mailbox& box = boxes.at(static_cast<size_t>(device));
  std::call_once(created[static_cast<size_t>(device)], [&box, device] {
    TAPEFLOW_CUDA_CHECK(cudaSetDevice(device));
    TAPEFLOW_CUDA_CHECK(cudaMalloc(&box.on_device, sizeof(BadInputReport)));
    TAPEFLOW_CUDA_CHECK(cudaMallocHost(&box.pinned, sizeof(BadInputReport)));
    TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(box.on_device, 0, sizeof(BadInputReport), compute_stream(device)));
  });
  return box;
}

// The report of the first kind that has one, worded as the CPU's check words it; empty when none.
std::string describe(const BadInputReport& r) {
  const std::string found = " (found on the device by work queued before this read)";
  for (unsigned k = 0; k < static_cast<unsigned>(BadInput::kCount); ++k) {
    if (r.lowest[k] == 0) continue;
    const BadInputFound found_here = unpack_bad_input(r.lowest[k]);
    const std::string p = std::to_string(found_here.position), v = std::to_string(found_here.value),
                      n = std::to_string(r.limit[k]);
    if (static_cast<BadInput>(k) == BadInput::kLabel)
      return "sparse_softmax_cross_entropy_with_logits: label " + v + " at position " + p + " is out of range for " +
             n + " classes (expected 0 <= label < " + n + ")" + found;
    return "gather: index " + v + " at position " + p + " is out of range [0, " + n + ")" + found;
  }
  return "";
}

}  // namespace

BadInputSink bad_input_sink(int device) {
  static std::atomic<unsigned long long> launches{0};
  return {mailbox(device).on_device, ++launches};
}

void wait_for_stream(int device) {
  Mailbox& box = mailbox(device);
  const cudaStream_t stream = compute_stream(device);
  std::lock_guard lock(box.mutex);
  TAPEFLOW_CUDA_CHECK(cudaMemcpyAsync(box.pinned, box.on_device, sizeof(BadInputReport), cudaMemcpyDeviceToHost, stream));
  TAPEFLOW_CUDA_CHECK(cudaStreamSynchronize(stream));
  const std::string error = describe(*box.pinned);
  if (error.empty()) return;
  *box.pinned = {};
  TAPEFLOW_CUDA_CHECK(cudaMemsetAsync(box.on_device, 0, sizeof(BadInputReport), stream));
  throw Error(error);
}

}  // namespace tapeflow::kernels::cuda
