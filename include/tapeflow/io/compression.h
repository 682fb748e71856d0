#pragma once
// How a TFRecord file's byte stream is compressed, as tf.io.TFRecordOptions names it. Compression wraps the
// whole stream (records are framed first, then deflated as one stream), never one record at a time.
#include <string_view>

namespace tapeflow::io {

enum class Compression { kNone, kZlib, kGzip };

// "" or "NONE", "ZLIB", "GZIP" (any case), as TFRecordDataset's compression_type; an Error otherwise.
Compression parse_compression(std::string_view name);
std::string_view compression_name(Compression compression);  // "NONE", "ZLIB", "GZIP"

}  // namespace tapeflow::io
