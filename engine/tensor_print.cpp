// numpy-like printing: [[-4, -4], [4, 4]]; long tensors are summarised with "..." as numpy does.
#include <ostream>
#include <string>

#include "engine/check.h"
#include "tapeflow/tensor.h"

namespace tapeflow {

namespace {

constexpr int64_t kSummariseAbove = 1000;  // numpy's threshold
constexpr int64_t kEdgeItems = 3;
constexpr size_t kLineWidth = 80;

std::string format_element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat32: return fmt::format("{:g}", t.data<float>()[i]);
    case DType::kInt32: return fmt::format("{}", t.data<int32_t>()[i]);
    case DType::kInt64: return fmt::format("{}", t.data<int64_t>()[i]);
    case DType::kUInt8: return fmt::format("{}", t.data<uint8_t>()[i]);
    case DType::kBool: return t.data<bool>()[i] ? "True" : "False";
    case DType::kString: return fmt::format("'{}'", t.data<std::string>()[i]);
  }
  return "?";
}

// Renders dims [axis, rank) of the block starting at element `offset`. `newline` puts each
// sub-block of rank >= 1 on its own line, indented to its depth.
std::string render(const Tensor& t, int axis, int64_t offset, bool summarise, bool newline) {
  const Shape& shape = t.shape();
  if (axis == shape.rank()) return format_element(t, offset);
  int64_t stride = 1;
  for (int a = axis + 1; a < shape.rank(); ++a) stride *= shape[a];
  const int64_t n = shape[axis];
  const bool inner_is_block = axis + 1 < shape.rank();
  const std::string sep = newline && inner_is_block ? ",\n" + std::string(axis + 1, ' ') : ", ";
  std::string out = "[";
  for (int64_t i = 0; i < n; ++i) {
    if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) {
      out += "..." + sep;
      i = n - kEdgeItems;
    }
    out += render(t, axis + 1, offset + i * stride, summarise, newline);
    if (i + 1 < n) out += sep;
  }
  return out + "]";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "<undefined tensor>";
  const Tensor host = t.to(Device::cpu());
  const bool summarise = host.num_elements() > kSummariseAbove;
  std::string text = render(host, 0, 0, summarise, false);
  if (text.size() > kLineWidth && host.rank() >= 2) text = render(host, 0, 0, summarise, true);
  return os << text;
}

}  // namespace tapeflow
