// Device names, CUDA device discovery and --device parsing.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <string>

#include "engine/check.h"
#include "kernels/cuda_runtime.h"
#include "tapeflow/device.h"

namespace tapeflow {

std::string Device::to_string() const { return fmt::format("{}:{}", is_cpu() ? "CPU" : "CUDA", index); }

#ifdef TAPEFLOW_WITH_CUDA
int cuda_device_count() {
  static const int count = kernels::cuda::device_count();  // asked on every allocation: ask the driver once
  return count;
}
#else
int cuda_device_count() { return 0; }
#endif

bool cuda_is_available() { return cuda_device_count() > 0; }

CudaDeviceInfo cuda_device_info(int index) {
  const int count = cuda_device_count();
  TAPEFLOW_CHECK(index >= 0 && index < count, "cuda_device_info: no CUDA device {}: this machine has {} CUDA device(s)",
                 index, count);
#ifdef TAPEFLOW_WITH_CUDA
  const kernels::cuda::DeviceProperties p = kernels::cuda::device_properties(index);
  return {index, p.name, p.sm_count, p.compute_major, p.compute_minor, p.total_memory_bytes};
#else
  return {};
#endif
}

namespace {

Device parse_cuda(std::string_view index_text, std::string_view text) {
  int index = 0;
  if (!index_text.empty()) {
    const auto [end, status] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
    TAPEFLOW_CHECK(status == std::errc() && end == index_text.data() + index_text.size() && index >= 0,
                   "device \"{}\": expected a device index >= 0 after the colon", text);
  }
  const int count = cuda_device_count();
  TAPEFLOW_CHECK(index < count, "device \"{}\": CUDA:{} is not available: this machine has {} CUDA device(s){}", text,
                 index, count, count == 0 ? " (try --device cpu or auto)" : "");
  return Device::cuda(index);
}

}  // namespace

Device parse_device(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const size_t colon = lower.find(':');
  const std::string_view kind = std::string_view(lower).substr(0, colon);
  const std::string_view index = colon == std::string::npos ? "" : std::string_view(lower).substr(colon + 1);
  if (kind == "cpu" && (index.empty() || index == "0")) return Device::cpu();
  if (kind == "cuda" || kind == "gpu") return parse_cuda(index, text);
  if (lower == "auto") {
    if (cuda_is_available()) return Device::cuda(0);
    std::cerr << "tapeflow: no CUDA device found, running on the CPU\n";
    return Device::cpu();
  }
  throw Error(fmt::format("device \"{}\": expected cpu, cuda, cuda:N, gpu, gpu:N or auto", text));
}

namespace {
thread_local Device current_default_device = Device::cpu();
}  // namespace

Device default_device() { return current_default_device; }

DeviceScope::DeviceScope(Device device) : previous_(current_default_device) { current_default_device = device; }

DeviceScope::~DeviceScope() { current_default_device = previous_; }

}  // namespace tapeflow
