#pragma once
// Test-side decoding of what tapeflow writes: TFRecord framing with CRC checks, and a protobuf wire
// reader that collects a message's fields by number, to check events field by field.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "tapeflow/io/atomic_file.h"
#include "tapeflow/io/crc32c.h"

namespace tapeflow::testing {

// Each record of a TFRecord file; fails the test on a bad CRC or a truncated record.
inline std::vector<std::string> read_records(const std::filesystem::path& path) {
  const std::string bytes = io::read_file(path);
  std::vector<std::string> records;
  size_t at = 0;
  while (at < bytes.size()) {
    EXPECT_GE(bytes.size() - at, 12u) << "truncated header at " << at;
    if (bytes.size() - at < 12) break;
    uint64_t length = 0;
    uint32_t length_crc = 0, data_crc = 0;
    std::memcpy(&length, bytes.data() + at, 8);
    std::memcpy(&length_crc, bytes.data() + at + 8, 4);
    EXPECT_EQ(length_crc, io::mask_crc32c(io::crc32c(bytes.data() + at, 8))) << "length CRC at " << at;
    EXPECT_GE(bytes.size() - at - 12, length + 4) << "truncated record at " << at;
    if (bytes.size() - at - 12 < length + 4) break;
    records.push_back(bytes.substr(at + 12, length));
    std::memcpy(&data_crc, bytes.data() + at + 12 + length, 4);
    EXPECT_EQ(data_crc, io::mask_crc32c(io::crc32c(records.back().data(), length))) << "data CRC at " << at;
    at += 16 + length;
  }
  return records;
}

// A decoded message: for each field number, its values in order (varints as numbers, fixed64/32 and
// length-delimited as raw bytes).
struct ProtoMessage {
  std::map<int, std::vector<uint64_t>> varints;
  std::map<int, std::vector<std::string>> bytes;

  std::string str(int field, size_t i = 0) const { return bytes.count(field) ? bytes.at(field).at(i) : ""; }
  ProtoMessage sub(int field, size_t i = 0) const;
  double as_double(int field) const {
    double v = 0;
    std::memcpy(&v, str(field).data(), 8);
    return v;
  }
};

inline uint64_t read_varint(const std::string& s, size_t& at) {
  uint64_t v = 0;
  for (int shift = 0; at < s.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(s[at++]);
    v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
  }
  return v;
}

inline ProtoMessage parse_proto(const std::string& s) {
  ProtoMessage m;
  size_t at = 0;
  while (at < s.size()) {
    const uint64_t tag = read_varint(s, at);
    const int field = static_cast<int>(tag >> 3);
    switch (tag & 7) {
      case 0: m.varints[field].push_back(read_varint(s, at)); break;
      case 1: m.bytes[field].push_back(s.substr(at, 8)), at += 8; break;
      case 5: m.bytes[field].push_back(s.substr(at, 4)), at += 4; break;
      case 2: {
        const uint64_t n = read_varint(s, at);
        m.bytes[field].push_back(s.substr(at, n));
        at += n;
        break;
      }
      default: ADD_FAILURE() << "unexpected wire type " << (tag & 7); return m;
    }
  }
  return m;
}

inline ProtoMessage ProtoMessage::sub(int field, size_t i) const { return parse_proto(str(field, i)); }

}  // namespace tapeflow::testing
