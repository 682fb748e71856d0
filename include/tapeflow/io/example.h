#pragma once
// tf.train.Example and tf.train.SequenceExample as plain C++ values, serialized to TensorFlow's bytes
// (our own .proto files with TensorFlow's field numbers, io/proto/). The notes' pattern:
//   io::Example example{{"image", io::Feature::bytes(image)}, {"label", io::Feature::int64(label)}};
//   writer.write(example.SerializeToString());
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tapeflow::io {

// One tf.train.Feature: a list of byte strings, of float32 or of int64 values (TF has no other kinds).
class Feature {
 public:
  enum class Kind { kNone, kBytes, kFloat, kInt64 };  // kNone: no list set; parsers treat it as absent

  Feature() = default;
  static Feature bytes(std::string value);
  static Feature bytes(std::vector<std::string> values);
  static Feature bytes(std::initializer_list<std::string> values);  // bytes({"a", "b"})
  static Feature floats(std::vector<float> values);
  static Feature int64(int64_t value);
  static Feature int64(std::vector<int64_t> values);

  Kind kind() const { return static_cast<Kind>(values_.index()); }
  size_t size() const;  // number of values
  // The values; an Error naming both kinds when the feature holds another kind.
  const std::vector<std::string>& bytes_list() const;
  const std::vector<float>& float_list() const;
  const std::vector<int64_t>& int64_list() const;

  friend bool operator==(const Feature&, const Feature&) = default;

 private:
  // Alternative order matches Kind.
  std::variant<std::monostate, std::vector<std::string>, std::vector<float>, std::vector<int64_t>> values_;
};

// "bytes_list", "float_list", "int64_list" or "no list", as errors name them.
std::string_view feature_kind_name(Feature::Kind kind);

using FeatureMap = std::map<std::string, Feature>;

class Example {
 public:
  Example() = default;
  explicit Example(FeatureMap features) : features_(std::move(features)) {}
  Example(std::initializer_list<std::pair<const std::string, Feature>> features) : features_(features) {}

  Example& set(const std::string& key, Feature feature);
  const FeatureMap& features() const { return features_; }
  // The feature under `key`; an Error listing the keys there are when it is absent.
  const Feature& at(const std::string& key) const;

  std::string SerializeToString() const;
  // An Error when the bytes are not a tf.train.Example.
  static Example ParseFromString(std::string_view serialized);

  friend bool operator==(const Example&, const Example&) = default;

 private:
  FeatureMap features_;
};

// Per-sequence `context` features, and per-time-step `feature_lists` (one Feature per step).
struct SequenceExample {
  FeatureMap context;
  std::map<std::string, std::vector<Feature>> feature_lists;

  std::string SerializeToString() const;
  static SequenceExample ParseFromString(std::string_view serialized);

  friend bool operator==(const SequenceExample&, const SequenceExample&) = default;
};

}  // namespace tapeflow::io
