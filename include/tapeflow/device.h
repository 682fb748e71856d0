#pragma once
// Where a tensor lives: the CPU or one CUDA device; what the CUDA devices of this machine are.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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

// Number of usable CUDA devices: 0 without a GPU, a driver, or a CUDA build. Never throws.
int cuda_device_count();
bool cuda_is_available();

struct CudaDeviceInfo {
  int index = 0;
  std::string name;                 // "NVIDIA H200"
  int sm_count = 0;                 // streaming multiprocessors
  int compute_capability_major = 0;  // 9 for H100/H200
  int compute_capability_minor = 0;
  size_t total_memory_bytes = 0;
};
// Throws when `index` names no CUDA device of this machine.
CudaDeviceInfo cuda_device_info(int index);

// A device named on a command line (--device): "cpu", "cuda", "cuda:N", "gpu", "gpu:N" or "auto", in any
// case ("CPU:0" and "CUDA:1" as to_string() writes them work too). "auto" is CUDA:0 when a GPU is
// present, else the CPU with a one-line notice on stderr. A CUDA device this machine lacks is an Error.
Device parse_device(std::string_view text);

// Where new weights go (tf.device): layers create their variables on default_device(), which is the CPU
// unless a DeviceScope on this thread says otherwise. A layer built by its first call builds on the
// device of that call's inputs.
Device default_device();

class DeviceScope {
 public:
  explicit DeviceScope(Device device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  Device previous_;
};

}  // namespace tapeflow
