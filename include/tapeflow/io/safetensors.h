#pragma once
// safetensors files (huggingface's format): an 8-byte header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the tensors' bytes. Reading validates the header against
// the bytes present exactly as the reference reader does, so a lying or truncated file is an Error
// naming the file, never an over-allocation.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow::io {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using SafetensorsMetadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  std::map<std::string, Tensor> tensors;  // on the CPU
  SafetensorsMetadata metadata;           // the header's "__metadata__"
};

// Float32, int32, int64, uint8 and bool tensors on any device; names must be distinct.
std::string serialize_safetensors(const NamedTensors& tensors, const SafetensorsMetadata& metadata = {});
// `source` names the data in errors (usually the file's path).
SafetensorsContents parse_safetensors(std::string_view bytes, const std::string& source);

// Written atomically (see atomic_file.h).
void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const SafetensorsMetadata& metadata = {});
SafetensorsContents load_safetensors(const std::filesystem::path& path);

}  // namespace tapeflow::io
