#pragma once
// A protobuf wire-format encoder for the few messages tapeflow writes by hand (TensorBoard's Event,
// Summary, TensorProto): fields appended in order, nested messages as length-delimited bytes.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tapeflow::io {

class ProtoWriter {
 public:
  enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

  ProtoWriter& varint(int field, uint64_t value) {
    tag(field, kVarint);
    raw_varint(value);
    return *this;
  }
  ProtoWriter& int64(int field, int64_t value) { return varint(field, static_cast<uint64_t>(value)); }
  ProtoWriter& double_(int field, double value) {
    tag(field, kFixed64);
    return raw_bytes(&value, sizeof value);
  }
  ProtoWriter& float_(int field, float value) {
    tag(field, kFixed32);
    return raw_bytes(&value, sizeof value);
  }
  ProtoWriter& bytes(int field, std::string_view value) {
    tag(field, kLengthDelimited);
    raw_varint(value.size());
    out_.append(value);
    return *this;
  }
  ProtoWriter& message(int field, const ProtoWriter& nested) { return bytes(field, nested.out_); }

  const std::string& str() const { return out_; }

 private:
  void tag(int field, WireType type) { raw_varint((static_cast<uint64_t>(field) << 3) | type); }
  void raw_varint(uint64_t value) {
    while (value >= 0x80) {
      out_ += static_cast<char>((value & 0x7F) | 0x80);
      value >>= 7;
    }
    out_ += static_cast<char>(value);
  }
  // Little-endian on every machine we build for, as the wire format wants.
  ProtoWriter& raw_bytes(const void* data, size_t n) {
    out_.append(static_cast<const char*>(data), n);
    return *this;
  }

  std::string out_;
};

}  // namespace tapeflow::io
