#pragma once
// TFRecord files: each record is its length (uint64 LE), the length's masked CRC32C, the payload and
// the payload's masked CRC32C. TensorBoard event files are TFRecord files of Event protos.
#include <cstdio>
#include <filesystem>
#include <string_view>

namespace tapeflow::io {

class TFRecordWriter {
 public:
  // Creates (truncates) `path`; an Error naming it when it cannot.
  explicit TFRecordWriter(const std::filesystem::path& path);
  ~TFRecordWriter();
  TFRecordWriter(const TFRecordWriter&) = delete;
  TFRecordWriter& operator=(const TFRecordWriter&) = delete;

  void write(std::string_view record);
  // Hands buffered records to the OS; with `sync`, also to the disk.
  void flush(bool sync = false);
  // Flushes and closes; errors the OS reports late (a full disk) surface here. Idempotent.
  void close();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace tapeflow::io
