#include "example_proto.h"

namespace tapeflow::io::detail {

void to_proto(const Feature& feature, proto::Feature& out) {
  switch (feature.kind()) {
    case Feature::Kind::kNone: out.Clear(); break;
    case Feature::Kind::kBytes:
      for (const std::string& v : feature.bytes_list()) out.mutable_bytes_list()->add_value(v);
      out.mutable_bytes_list();  // an empty list is still a list
      break;
    case Feature::Kind::kFloat:
      out.mutable_float_list()->mutable_value()->Add(feature.float_list().begin(), feature.float_list().end());
      break;
    case Feature::Kind::kInt64:
      out.mutable_int64_list()->mutable_value()->Add(feature.int64_list().begin(), feature.int64_list().end());
      break;
  }
}

void to_proto(const FeatureMap& features, proto::Features& out) {
  auto& map = *out.mutable_feature();
  for (const auto& [key, feature] : features) to_proto(feature, map[key]);
}

Feature from_proto(const proto::Feature& feature) {
  switch (feature.kind_case()) {
    case proto::Feature::kBytesList:
      return Feature::bytes(std::vector<std::string>(feature.bytes_list().value().begin(), feature.bytes_list().value().end()));
    case proto::Feature::kFloatList:
      return Feature::floats(std::vector<float>(feature.float_list().value().begin(), feature.float_list().value().end()));
    case proto::Feature::kInt64List:
      return Feature::int64(std::vector<int64_t>(feature.int64_list().value().begin(), feature.int64_list().value().end()));
    case proto::Feature::KIND_NOT_SET: break;
  }
  return Feature();
}

FeatureMap from_proto(const proto::Features& features) {
  FeatureMap result;
  for (const auto& [key, feature] : features.feature()) result.emplace(key, from_proto(feature));
  return result;
}

}  // namespace tapeflow::io::detail
