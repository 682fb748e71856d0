#include "tapeflow/io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/check.h"
#include "tapeflow/io/atomic_file.h"

namespace tapeflow::io {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;  // writes keys in the reference writer's order: dtype, shape, data_offsets

constexpr size_t kLengthBytes = 8;
constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference reader's limit

struct DTypeName {
  DType dtype;
  const char* name;
};
constexpr DTypeName kDTypeNames[] = {
    {DType::kFloat32, "F32"}, {DType::kInt32, "I32"}, {DType::kInt64, "I64"},
    {DType::kUInt8, "U8"},    {DType::kBool, "BOOL"},
};

const char* safetensors_dtype(DType dtype) {
  for (const DTypeName& entry : kDTypeNames)
    if (entry.dtype == dtype) return entry.name;
  throw Error(fmt::format("safetensors: cannot store a {} tensor", dtype_name(dtype)));
}

// Decodes one tensor's header entry and checks it against the buffer; names the tensor in errors.
struct TensorEntry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

[[noreturn]] void invalid(const std::string& source, const std::string& what) {
  throw Error(fmt::format("safetensors file {}: {}", source, what));
}

TensorEntry parse_entry(const std::string& source, const std::string& name, const json& entry) {
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
    invalid(source, fmt::format("tensor '{}': expected an object with dtype, shape and data_offsets", name));
  TensorEntry out{.name = name};
  const json& dtype = entry["dtype"];
  const auto known = std::find_if(std::begin(kDTypeNames), std::end(kDTypeNames), [&](const DTypeName& d) {
    return dtype.is_string() && dtype.get<std::string>() == d.name;
  });
  if (known == std::end(kDTypeNames))
    invalid(source, fmt::format("tensor '{}': unsupported dtype {} (expected F32, I32, I64, U8 or BOOL)", name,
                                dtype.dump()));
  out.dtype = known->dtype;
  const json& shape = entry["shape"];
  if (!shape.is_array()) invalid(source, fmt::format("tensor '{}': shape must be an array", name));
  std::vector<int64_t> dims;
  uint64_t elements = 1;
  constexpr uint64_t kMaxElements = uint64_t{1} << 48;  // the format's 48-bit limit
  for (const json& dim : shape) {
    if (!dim.is_number_unsigned() || dim.get<uint64_t>() > kMaxElements)
      invalid(source, fmt::format("tensor '{}': shape {} has a dimension that is not a size", name, shape.dump()));
    const uint64_t d = dim.get<uint64_t>();
    if (d != 0 && elements > kMaxElements / d)
      invalid(source, fmt::format("tensor '{}': shape {} overflows", name, shape.dump()));
    elements *= d;
    dims.push_back(static_cast<int64_t>(d));
  }
  out.shape = Shape(dims);
  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    invalid(source, fmt::format("tensor '{}': data_offsets must be [begin, end]", name));
  out.begin = offsets[0].get<uint64_t>();
  out.end = offsets[1].get<uint64_t>();
  if (out.end < out.begin) invalid(source, fmt::format("tensor '{}': data_offsets end before begin", name));
  const uint64_t expected = elements * dtype_size(out.dtype);
  if (out.end - out.begin != expected)
    invalid(source, fmt::format("tensor '{}': shape {} of {} needs {} bytes, data_offsets give {}", name,
                                out.shape.to_string(), known->name, expected, out.end - out.begin));
  return out;
}

}  // namespace

std::string serialize_safetensors(const NamedTensors& tensors, const SafetensorsMetadata& metadata) {
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  std::vector<Tensor> on_cpu;
  for (const auto& [name, tensor] : tensors) {
    TAPEFLOW_CHECK(name != "__metadata__" && names.insert(name).second,
                   "safetensors: tensor name '{}' is used twice or reserved", name);
    std::vector<int64_t> dims(tensor.shape().dims().begin(), tensor.shape().dims().end());
    const uint64_t bytes = tensor.nbytes();
    header[name] = {{"dtype", safetensors_dtype(tensor.dtype())}, {"shape", dims}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    on_cpu.push_back(tensor.to(Device::cpu()));
  }
  std::string text = header.dump();
  text.resize((text.size() + 7) / 8 * 8, ' ');  // the buffer starts 8-byte aligned, as the reference writer pads
  std::string out(kLengthBytes, '\0');
  const uint64_t header_length = text.size();
  std::memcpy(out.data(), &header_length, kLengthBytes);  // little-endian on every machine we build for
  out += text;
  out.reserve(out.size() + offset);
  for (const Tensor& t : on_cpu) out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  return out;
}

SafetensorsContents parse_safetensors(std::string_view bytes, const std::string& source) {
  if (bytes.size() < kLengthBytes)
    invalid(source, fmt::format("expected at least 8 bytes (the header length), found {}", bytes.size()));
  uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), kLengthBytes);
  if (header_length > kMaxHeaderBytes)
    invalid(source, fmt::format("header length {} exceeds the limit of {} bytes", header_length, kMaxHeaderBytes));
  if (header_length > bytes.size() - kLengthBytes)
    invalid(source, fmt::format("header length {} runs past the end of the file ({} bytes): truncated?",
                                header_length, bytes.size()));
  const json header = json::parse(bytes.substr(kLengthBytes, header_length), nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) invalid(source, "the header is not a JSON object");

  SafetensorsContents contents;
  std::vector<TensorEntry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) invalid(source, "__metadata__ must be an object of strings");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) invalid(source, fmt::format("__metadata__ value of '{}' is not a string", key));
        contents.metadata[key] = text.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(source, name, value));
  }
  // The tensors must tile the buffer exactly: no gaps, no overlaps, nothing after the last.
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
  });
  const std::string_view buffer = bytes.substr(kLengthBytes + header_length);
  uint64_t expected_begin = 0;
  for (const TensorEntry& entry : entries) {
    if (entry.begin != expected_begin)
      invalid(source, fmt::format("tensor '{}' starts at byte {} of the buffer, expected {}", entry.name, entry.begin,
                                  expected_begin));
    expected_begin = entry.end;
  }
  if (expected_begin != buffer.size())
    invalid(source, fmt::format("the header describes {} bytes of tensor data, the file holds {}: truncated or "
                                "corrupt",
                                expected_begin, buffer.size()));
  for (const TensorEntry& entry : entries) {
    Tensor t = Tensor::empty(entry.shape, entry.dtype);
    std::memcpy(t.raw_data(), buffer.data() + entry.begin, entry.end - entry.begin);
    contents.tensors.emplace(entry.name, std::move(t));
  }
  return contents;
}

void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const SafetensorsMetadata& metadata) {
  write_file_atomically(path, serialize_safetensors(tensors, metadata));
}

SafetensorsContents load_safetensors(const std::filesystem::path& path) {
  return parse_safetensors(read_file(path), path.string());
}

}  // namespace tapeflow::io
