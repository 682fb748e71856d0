#include "io/summary/event_encoding.h"

#include "io/proto_writer.h"

namespace tapeflow::summary::detail {

namespace {

using io::ProtoWriter;

// Field numbers from tensorflow/core/util/event.proto, framework/summary.proto and tensor.proto.
namespace event {
constexpr int kWallTime = 1, kStep = 2, kFileVersion = 3, kSummary = 5;
}
namespace value {
constexpr int kTag = 1, kTensor = 8, kMetadata = 9;
}
namespace tensor {
constexpr int kDType = 1, kShape = 2, kContent = 4, kStringVal = 8;
constexpr int kShapeDim = 2, kDimSize = 1;
constexpr int kFloat = 1, kDouble = 2, kString = 7;
}  // namespace tensor
constexpr int kMetadataPluginData = 1, kMetadataDataClass = 4, kPluginName = 1;
constexpr int kDataClassScalar = 1;

ProtoWriter shape_of(const std::vector<int64_t>& dims) {
  ProtoWriter shape;
  for (const int64_t d : dims) shape.message(tensor::kShapeDim, ProtoWriter().int64(tensor::kDimSize, d));
  return shape;
}

ProtoWriter metadata(const char* plugin, int data_class = 0) {
  ProtoWriter m;
  m.message(kMetadataPluginData, ProtoWriter().bytes(kPluginName, plugin));
  if (data_class != 0) m.varint(kMetadataDataClass, static_cast<uint64_t>(data_class));
  return m;
}

std::string event_with(double wall_time, int64_t step, const std::string& tag, const ProtoWriter& meta,
                       const ProtoWriter& tensor_proto) {
  ProtoWriter v;
  v.bytes(value::kTag, tag).message(value::kMetadata, meta).message(value::kTensor, tensor_proto);
  ProtoWriter summary;
  summary.message(1, v);  // Summary.value
  ProtoWriter e;
  e.double_(event::kWallTime, wall_time).int64(event::kStep, step).message(event::kSummary, summary);
  return e.str();
}

ProtoWriter string_tensor(const std::vector<int64_t>& dims, const std::vector<std::string>& strings) {
  ProtoWriter t;
  t.varint(tensor::kDType, tensor::kString).message(tensor::kShape, shape_of(dims));
  for (const std::string& s : strings) t.bytes(tensor::kStringVal, s);
  return t;
}

}  // namespace

std::string file_version_event(double wall_time) {
  return ProtoWriter().double_(event::kWallTime, wall_time).bytes(event::kFileVersion, "brain.Event:2").str();
}

std::string scalar_event(double wall_time, int64_t step, const std::string& tag, float value) {
  ProtoWriter t;
  t.varint(tensor::kDType, tensor::kFloat)
      .message(tensor::kShape, shape_of({}))
      .bytes(tensor::kContent, std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
  return event_with(wall_time, step, tag, metadata("scalars", kDataClassScalar), t);
}

std::string image_event(double wall_time, int64_t step, const std::string& tag, int64_t width, int64_t height,
                        const std::vector<std::string>& pngs) {
  std::vector<std::string> blobs = {std::to_string(width), std::to_string(height)};
  blobs.insert(blobs.end(), pngs.begin(), pngs.end());
  return event_with(wall_time, step, tag, metadata("images"),
                    string_tensor({static_cast<int64_t>(blobs.size())}, blobs));
}

std::string histogram_event(double wall_time, int64_t step, const std::string& tag,
                            const std::vector<std::array<double, 3>>& buckets) {
  ProtoWriter t;
  t.varint(tensor::kDType, tensor::kDouble)
      .message(tensor::kShape, shape_of({static_cast<int64_t>(buckets.size()), 3}))
      .bytes(tensor::kContent, std::string_view(reinterpret_cast<const char*>(buckets.data()),
                                                buckets.size() * sizeof(buckets[0])));
  return event_with(wall_time, step, tag, metadata("histograms"), t);
}

std::string text_event(double wall_time, int64_t step, const std::string& tag, const std::string& text) {
  return event_with(wall_time, step, tag, metadata("text"), string_tensor({}, {text}));
}

}  // namespace tapeflow::summary::detail
