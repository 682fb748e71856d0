#include "tapeflow/io/example.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "engine/check.h"
#include "proto/example.pb.h"
#include "example_proto.h"

namespace tapeflow::io {

Feature Feature::bytes(std::string value) { return bytes(std::vector<std::string>{std::move(value)}); }
Feature Feature::bytes(std::vector<std::string> values) {
  Feature f;
  f.values_ = std::move(values);
  return f;
}
Feature Feature::bytes(std::initializer_list<std::string> values) { return bytes(std::vector<std::string>(values)); }
Feature Feature::floats(std::vector<float> values) {
  Feature f;
  f.values_ = std::move(values);
  return f;
}
Feature Feature::int64(int64_t value) { return int64(std::vector<int64_t>{value}); }
Feature Feature::int64(std::vector<int64_t> values) {
  Feature f;
  f.values_ = std::move(values);
  return f;
}

size_t Feature::size() const {
  return std::visit(
      [](const auto& v) -> size_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) return 0;
        else return v.size();
      },
      values_);
}

std::string_view feature_kind_name(Feature::Kind kind) {
  switch (kind) {
    case Feature::Kind::kNone: return "no list";
    case Feature::Kind::kBytes: return "bytes_list";
    case Feature::Kind::kFloat: return "float_list";
    case Feature::Kind::kInt64: return "int64_list";
  }
  return "?";
}

namespace {

template <class T>
const T& values_of(const auto& values, Feature::Kind want, Feature::Kind have) {
  TAPEFLOW_CHECK(want == have, "Feature: asked for its {}, but it holds a {}", feature_kind_name(want),
                 feature_kind_name(have));
  return std::get<T>(values);
}

// Protobuf writes map entries in hash order, which it varies from run to run; asked for deterministic output it
// sorts them by key, so the same features give the same bytes (and the same TFRecord file) every time.
std::string serialize_deterministically(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }  // the coded stream trims `bytes` to what it wrote when it goes
  return bytes;
}

}  // namespace

const std::vector<std::string>& Feature::bytes_list() const {
  return values_of<std::vector<std::string>>(values_, Kind::kBytes, kind());
}
const std::vector<float>& Feature::float_list() const { return values_of<std::vector<float>>(values_, Kind::kFloat, kind()); }
const std::vector<int64_t>& Feature::int64_list() const {
  return values_of<std::vector<int64_t>>(values_, Kind::kInt64, kind());
}

Example& Example::set(const std::string& key, Feature feature) {
  features_[key] = std::move(feature);
  return *this;
}

const Feature& Example::at(const std::string& key) const {
  const auto it = features_.find(key);
  if (it != features_.end()) return it->second;
  std::vector<std::string> keys;
  for (const auto& [k, _] : features_) keys.push_back(k);
  throw Error(fmt::format("Example: no feature '{}'; it has {}", key, keys.empty() ? "none" : fmt::format("{}", fmt::join(keys, ", "))));
}

std::string Example::SerializeToString() const {
  proto::Example message;
  detail::to_proto(features_, *message.mutable_features());
  return serialize_deterministically(message);
}

Example Example::ParseFromString(std::string_view serialized) {
  proto::Example message;
  TAPEFLOW_CHECK(message.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())),
                 "Example::ParseFromString: {} bytes are not a serialized tf.train.Example", serialized.size());
  return Example(detail::from_proto(message.features()));
}

std::string SequenceExample::SerializeToString() const {
  proto::SequenceExample message;
  detail::to_proto(context, *message.mutable_context());
  auto& lists = *message.mutable_feature_lists()->mutable_feature_list();
  for (const auto& [key, steps] : feature_lists) {
    auto& list = lists[key];
    for (const Feature& step : steps) detail::to_proto(step, *list.add_feature());
  }
  return serialize_deterministically(message);
}

SequenceExample SequenceExample::ParseFromString(std::string_view serialized) {
  proto::SequenceExample message;
  TAPEFLOW_CHECK(message.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())),
                 "SequenceExample::ParseFromString: {} bytes are not a serialized tf.train.SequenceExample",
                 serialized.size());
  SequenceExample result;
  result.context = detail::from_proto(message.context());
  for (const auto& [key, list] : message.feature_lists().feature_list()) {
    auto& steps = result.feature_lists[key];
    for (const auto& step : list.feature()) steps.push_back(detail::from_proto(step));
  }
  return result;
}

}  // namespace tapeflow::io
