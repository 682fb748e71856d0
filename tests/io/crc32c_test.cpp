// CRC-32C and TFRecord's masking against the test vectors of FORMATS.md (TensorBoard's and RFC 3720's).
#include "tapeflow/io/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace io = tapeflow::io;

namespace {

uint32_t crc(const std::string& s) { return io::crc32c(s.data(), s.size()); }

}  // namespace

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc(""), 0x00000000u);
  EXPECT_EQ(crc("123456789"), 0xE3069283u);
  EXPECT_EQ(crc(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc(std::string(32, '\xFF')), 0x62A8AB43u);
  EXPECT_EQ(crc("hello"), 0x9A71BB4Cu);
}

TEST(Crc32c, MaskedVectors) {
  EXPECT_EQ(io::mask_crc32c(crc("")), 0xA282EAD8u);
  EXPECT_EQ(io::mask_crc32c(crc("123456789")), 0xC78AB0E5u);
  EXPECT_EQ(io::mask_crc32c(crc(std::string("\x1a\x11" "CRC test, one two"))), 0x5794D08Au);
  EXPECT_EQ(io::mask_crc32c(crc(std::string("\x05\0\0\0\0\0\0\0", 8))), 0x3E04B2EAu);
  EXPECT_EQ(io::unmask_crc32c(io::mask_crc32c(0x12345678u)), 0x12345678u);
}

TEST(Crc32c, IncrementalEqualsWholeAtEveryAlignment) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7 + 3);
  const uint32_t whole = crc(data);
  for (size_t split = 0; split <= 17; ++split) {
    const uint32_t first = io::crc32c(data.data(), split);
    EXPECT_EQ(io::crc32c(data.data() + split, data.size() - split, first), whole) << "split at " << split;
  }
}
