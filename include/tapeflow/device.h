#pragma once
// Where a tensor lives: the CPU or one CUDA device.
#include <string>

namespace tapeflow {

enum class DeviceType : uint8_t { kCPU, kCUDA };

struct Device {
  DeviceType type = DeviceType::kCPU;
  int index = 0;

  static Device cpu() { return {DeviceType::kCPU, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::kCUDA, index}; }
  bool is_cpu() const { return type == DeviceType::kCPU; }
  bool is_cuda() const { return type == DeviceType::kCUDA; }
  std::string to_string() const;  // "CPU:0", "CUDA:0"
  friend bool operator==(const Device&, const Device&) = default;
};

// Number of usable CUDA devices: 0 without a GPU, a driver, or a CUDA build.
int cuda_device_count();
bool cuda_is_available();

}  // namespace tapeflow
