#pragma once
// Conversions between io::Feature values and the generated tapeflow.proto messages. Internal to io/.
#include "proto/feature.pb.h"
#include "tapeflow/io/example.h"

namespace tapeflow::io::detail {

void to_proto(const Feature& feature, proto::Feature& out);
void to_proto(const FeatureMap& features, proto::Features& out);
Feature from_proto(const proto::Feature& feature);
FeatureMap from_proto(const proto::Features& features);

}  // namespace tapeflow::io::detail
