#include "tapeflow/io/compression.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "engine/check.h"

namespace tapeflow::io {

Compression parse_compression(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper.empty() || upper == "NONE") return Compression::kNone;
  if (upper == "ZLIB") return Compression::kZlib;
  if (upper == "GZIP") return Compression::kGzip;
  throw Error(fmt::format("unknown TFRecord compression '{}': expected \"\", NONE, ZLIB or GZIP", name));
}

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kNone: return "NONE";
    case Compression::kZlib: return "ZLIB";
    case Compression::kGzip: return "GZIP";
  }
  return "?";
}

}  // namespace tapeflow::io
