// safetensors: byte-exact against the reference writer's output, the reference doc-test file read back,
// and every lie a header can tell rejected with an error naming the file.
#include "tapeflow/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "error_of.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
namespace io = tapeflow::io;

namespace {

std::string with_length(const std::string& header, const std::string& buffer = "") {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + buffer;
}

}  // namespace

TEST(Safetensors, MatchesTheReferenceWriterByteForByte) {
  const std::string bytes = io::serialize_safetensors({{"w", tf::constant(std::vector<float>{1.f, 2.f}, {2})}});
  const std::string expected = with_length(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})" "  ",
                                           std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8));
  EXPECT_EQ(bytes, expected);
}

TEST(Safetensors, ReadsTheReferenceDocTestFile) {
  const std::string file =
      with_length(R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})", std::string(16, '\0'));
  const io::SafetensorsContents contents = io::parse_safetensors(file, "doc.safetensors");
  ASSERT_EQ(contents.tensors.size(), 1u);
  const tf::Tensor& t = contents.tensors.at("test");
  EXPECT_EQ(t.shape(), tf::Shape({2, 2}));
  EXPECT_EQ(t.dtype(), tf::DType::kInt32);
  EXPECT_EQ(t.numpy<int32_t>(), std::vector<int32_t>(4, 0));
}

TEST(Safetensors, RoundTripsEveryDTypeAndMetadata) {
  const io::NamedTensors tensors = {
      {"f", tf::constant(std::vector<float>{1.5f, -2.f, 3.25f}, {3, 1})},
      {"i32", tf::cast(tf::constant(std::vector<float>{7, -8}, {2}), tf::DType::kInt32)},
      {"i64", tf::cast(tf::constant(std::vector<float>{1e9f}, {}), tf::DType::kInt64)},
      {"empty", tf::zeros({0, 4})},
  };
  const io::SafetensorsContents back =
      io::parse_safetensors(io::serialize_safetensors(tensors, {{"k", "v"}}), "memory");
  EXPECT_EQ(back.metadata.at("k"), "v");
  EXPECT_EQ(back.tensors.at("f").numpy<float>(), (std::vector<float>{1.5f, -2.f, 3.25f}));
  EXPECT_EQ(back.tensors.at("f").shape(), tf::Shape({3, 1}));
  EXPECT_EQ(back.tensors.at("i32").numpy<int32_t>(), (std::vector<int32_t>{7, -8}));
  EXPECT_EQ(back.tensors.at("i64").item<int64_t>(), 1000000000);
  EXPECT_EQ(back.tensors.at("empty").shape(), tf::Shape({0, 4}));
}

TEST(Safetensors, RejectsLyingOrTruncatedFilesByName) {
  const std::string good = io::serialize_safetensors({{"w", tf::ones({4})}});
  struct Bad {
    std::string bytes;
    std::string message;
  };
  const std::vector<Bad> cases = {
      {"abc", "expected at least 8 bytes"},
      {std::string(7, '\0'), "expected at least 8 bytes"},
      {std::string("\x00\xe1\xf5\x05\x01\x00\x00\x00", 8) + "{}", "exceeds the limit"},
      {std::string("\xff\x00\x00\x00\x00\x00\x00\x00", 8) + "{}", "runs past the end"},
      {with_length("[1,2]"), "not a JSON object"},
      {with_length("{not json"), "not a JSON object"},
      {good.substr(0, good.size() - 1), "truncated or corrupt"},
      {good + "x", "truncated or corrupt"},
      {with_length(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')),
       "unsupported dtype"},
      {with_length(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')),
       "needs 12 bytes"},
      {with_length(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0')),
       "starts at byte 4"},
      {with_length(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", std::string(4, '\0')),
       "not a size"},
      {with_length(R"({"a":{"dtype":"F32","shape":[281474976710656,281474976710656],"data_offsets":[0,4]}})",
                   std::string(4, '\0')),
       "overflows"},
      {with_length(R"({"a":{"dtype":"F32","shape":[1]}})"), "expected an object with dtype"},
      {with_length(R"({"__metadata__":{"k":1}})"), "is not a string"},
  };
  for (const Bad& bad : cases) {
    const std::string message = tf::testing::error_of([&] { io::parse_safetensors(bad.bytes, "bad.safetensors"); });
    EXPECT_NE(message.find("bad.safetensors"), std::string::npos) << message;
    EXPECT_NE(message.find(bad.message), std::string::npos) << "expected '" << bad.message << "' in: " << message;
  }
}

TEST(Safetensors, RejectsDuplicateOrReservedNamesWhenWriting) {
  EXPECT_THROW(io::serialize_safetensors({{"a", tf::ones({1})}, {"a", tf::ones({1})}}), tf::Error);
  EXPECT_THROW(io::serialize_safetensors({{"__metadata__", tf::ones({1})}}), tf::Error);
}
