#pragma once
// Raw memory on any device: allocation through the device's allocator and copies between devices.
#include <cstddef>

#include "tapeflow/device.h"

namespace tapeflow::memory {

void* allocate(Device device, size_t nbytes);
void deallocate(Device device, void* ptr, size_t nbytes);
void copy(Device dst_device, void* dst, Device src_device, const void* src, size_t nbytes);

}  // namespace tapeflow::memory
