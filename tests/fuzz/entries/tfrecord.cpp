#include <stdexcept>

#include "fuzz_entries.h"
#include "scratch_file.h"
#include "tapeflow/error.h"
#include "tapeflow/io/tfrecord_reader.h"

namespace tapeflow::fuzz {

namespace {

void read_all(const std::filesystem::path& path, io::TFRecordReaderOptions options) {
  io::TFRecordReader reader(path, options);
  while (reader.next()) {
  }
}

}  // namespace

// The same bytes as a plain, a ZLIB and a GZIP stream (the first byte decides nothing, so the corpus holds real
// files), each read strictly, where an Error is the expected answer to damage, and with skip_corrupt, which
// promises to skip damage instead: an Error there is a finding.
void tfrecord(std::string_view data) {
  const std::filesystem::path path = scratch_file("input.tfrecord", data);
  // A small read buffer, so that records straddle buffer refills as they do in large files.
  constexpr size_t kBufferSize = 64;
  for (const io::Compression compression : {io::Compression::kNone, io::Compression::kZlib, io::Compression::kGzip}) {
    try {
      read_all(path, {.compression = compression, .buffer_size = kBufferSize});
    } catch (const Error&) {
    }
    try {
      read_all(path, {.compression = compression, .skip_corrupt = true, .buffer_size = kBufferSize});
    } catch (const Error& e) {
      throw std::logic_error(std::string("TFRecordReader with skip_corrupt threw instead of skipping: ") + e.what());
    }
  }
}

}  // namespace tapeflow::fuzz
