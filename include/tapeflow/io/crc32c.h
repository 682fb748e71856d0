#pragma once
// CRC-32C (Castagnoli), as TFRecord files and tapeflow checkpoints use it: the SSE4.2 crc32
// instruction where the CPU has it, a table otherwise.
#include <cstddef>
#include <cstdint>

namespace tapeflow::io {

uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);

// TFRecord stores CRCs masked (rotate right 15, add a constant) so that CRCs of data that itself
// contains CRCs stay well distributed.
constexpr uint32_t mask_crc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u; }
constexpr uint32_t unmask_crc32c(uint32_t masked) {
  const uint32_t rotated = masked - 0xA282EAD8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace tapeflow::io
