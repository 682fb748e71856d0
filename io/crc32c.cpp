#include "tapeflow/io/crc32c.h"

#include <array>
#include <cstring>

namespace tapeflow::io {

namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kReflectedPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

uint32_t update_table(uint32_t state, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) state = kTable[(state ^ p[i]) & 0xFF] ^ (state >> 8);
  return state;
}

__attribute__((target("sse4.2"))) uint32_t update_sse42(uint32_t state, const unsigned char* p, size_t n) {
  uint64_t state64 = state;
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    state64 = __builtin_ia32_crc32di(state64, word);
  }
  state = static_cast<uint32_t>(state64);
  for (; n > 0; --n, ++p) state = __builtin_ia32_crc32qi(state, *p);
  return state;
}

bool cpu_has_sse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}

}  // namespace

uint32_t crc32c(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  const uint32_t state = ~crc;
  return ~(cpu_has_sse42() ? update_sse42(state, p, n) : update_table(state, p, n));
}

}  // namespace tapeflow::io
