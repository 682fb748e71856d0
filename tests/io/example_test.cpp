// tf.train.Example / SequenceExample: FORMATS.md's bytes, round trips of every kind, and the builders.
#include "tapeflow/io/example.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "tfrecord_test_util.h"

namespace io = tapeflow::io;
using tapeflow::testing::error_of;
using tapeflow::testing::hex;

TEST(Example, FormatsTestVectorByteForByte) {
  // Example{ "a": int64_list [1] } (FORMATS.md section 2).
  const io::Example example{{"a", io::Feature::int64(1)}};
  EXPECT_EQ(hex(example.SerializeToString()), "0a0c0a0a0a016112051a030a0101");
}

TEST(Example, RoundTripsEveryKindAndEmptyLists) {
  io::Example example{{"image", io::Feature::bytes(std::string("\x89PNG\0\x01", 6))},
                      {"label", io::Feature::int64(-7)},
                      {"names", io::Feature::bytes({"a", "bc", ""})},
                      {"scores", io::Feature::floats({0.5f, -1.25f, 3e38f})},
                      {"ids", io::Feature::int64(std::vector<int64_t>{INT64_MIN, 0, INT64_MAX})},
                      {"no_floats", io::Feature::floats({})},
                      {"no_bytes", io::Feature::bytes(std::vector<std::string>{})}};
  const io::Example back = io::Example::ParseFromString(example.SerializeToString());
  EXPECT_EQ(back, example);
  EXPECT_EQ(back.at("label").int64_list(), std::vector<int64_t>{-7});
  EXPECT_EQ(back.at("no_floats").kind(), io::Feature::Kind::kFloat);  // an empty list keeps its kind
  EXPECT_EQ(back.at("image").bytes_list()[0].size(), 6u);
}

// Protobuf's map order changes between runs; the bytes must not (a TFRecord file written twice is the same file).
TEST(Example, SerializesTheSameFeaturesToTheSameBytesInKeyOrder) {
  io::FeatureMap features;
  for (int i = 0; i < 32; ++i) features.emplace("feature_" + std::to_string(100 + i), io::Feature::int64(i));
  const std::string first = io::Example(features).SerializeToString();
  for (int again = 0; again < 20; ++again) EXPECT_EQ(io::Example(features).SerializeToString(), first);
  EXPECT_LT(first.find("feature_100"), first.find("feature_101"));
  EXPECT_LT(first.find("feature_130"), first.find("feature_131"));
}

TEST(Example, ClearErrors) {
  const io::Example example{{"label", io::Feature::int64(1)}};
  EXPECT_EQ(error_of([&] { example.at("image"); }), "Example: no feature 'image'; it has label");
  EXPECT_EQ(error_of([&] { example.at("label").float_list(); }), "Feature: asked for its float_list, but it holds a int64_list");
  EXPECT_EQ(error_of([] { io::Example::ParseFromString("\xff\xff\xff"); }),
            "Example::ParseFromString: 3 bytes are not a serialized tf.train.Example");
}

TEST(SequenceExample, RoundTrip) {
  io::SequenceExample seq;
  seq.context = {{"length", io::Feature::int64(3)}};
  seq.feature_lists["tokens"] = {io::Feature::int64(std::vector<int64_t>{1, 2}), io::Feature::int64(3),
                                 io::Feature::int64(std::vector<int64_t>{})};
  seq.feature_lists["audio"] = {io::Feature::floats({0.25f})};
  EXPECT_EQ(io::SequenceExample::ParseFromString(seq.SerializeToString()), seq);
}
