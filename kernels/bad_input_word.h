#pragma once
// The word a CUDA kernel reports bad input with (kernels/cuda/bad_input.cuh): a position and the value
// found there, packed so that one atomicMax keeps the lowest position together with its value.
// Shared with the host, which unpacks it, and with the tests.
#include <cstdint>

#include "kernels/host_device.h"

namespace tapeflow::kernels {

// ~(position << 32 | value), position clamped to [0, 2^32 - 2] and value to int32: a lower position
// gives a larger word, and no word is 0 (which means "nothing reported").
TAPEFLOW_HOST_DEVICE inline unsigned long long pack_bad_input(long long position, long long value) {
  const unsigned long long p =
      position < 0 ? 0ull : position < 0xFFFFFFFELL ? static_cast<unsigned long long>(position) : 0xFFFFFFFEull;
  const long long v = value < -0x80000000LL ? -0x80000000LL : value > 0x7FFFFFFFLL ? 0x7FFFFFFFLL : value;
  return ~(p << 32 | static_cast<unsigned>(static_cast<int>(v)));
}

struct BadInputFound {
  long long position;
  int value;
};

TAPEFLOW_HOST_DEVICE inline BadInputFound unpack_bad_input(unsigned long long word) {
  const unsigned long long packed = ~word;
  return {static_cast<long long>(packed >> 32), static_cast<int>(static_cast<unsigned>(packed & 0xFFFFFFFFull))};
}

}  // namespace tapeflow::kernels
