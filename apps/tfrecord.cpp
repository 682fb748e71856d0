// tfrecord: write, inspect and verify TFRecord files of tf.train.Examples (the notes' TFRecord section).
//   tfrecord write --images DIR --out FILE [--compression gzip]   one sub-folder of images per class
//   tfrecord inspect FILE [--compression gzip]                    records, features, their kinds and lengths
//   tfrecord verify FILE [--compression gzip]                     every CRC; exit 1 naming the offset
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "file_size_limit.h"
#include "tapeflow/error.h"
#include "tapeflow/io/example.h"
#include "tapeflow/io/tfrecord_reader.h"
#include "tapeflow/io/tfrecord_writer.h"
#include "tfrecord_flags.h"

namespace fs = std::filesystem;
namespace io = tapeflow::io;
using tapeflow::Error;

namespace {

// The extensions `write` takes as images; other files in a class folder are skipped and counted.
const std::set<std::string> kImageExtensions = {".jpg", ".jpeg", ".png", ".gif", ".bmp"};

// A stderr line at most once a second, so that long runs show life and short ones stay quiet.
class Progress {
 public:
  explicit Progress(std::string verb) : verb_(std::move(verb)) {}
  void update(int64_t records, uint64_t bytes) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    std::fprintf(stderr, "\r%s %lld records (%.1f MiB)...", verb_.c_str(), static_cast<long long>(records), bytes / 1048576.0);
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fputc('\n', stderr);
  }

 private:
  std::string verb_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool shown_ = false;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  if (!in || !(bytes << in.rdbuf())) throw Error(fmt::format("cannot read {}", path.string()));
  return bytes.str();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool folders) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(".")) continue;
    if (folders ? entry.is_directory() : entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

int write_command(const fs::path& images, const fs::path& out, io::Compression compression) {
  if (!fs::is_directory(images)) throw Error(fmt::format("--images {}: not a folder", images.string()));
  const std::vector<fs::path> classes = sorted_entries(images, true);
  if (classes.empty())
    throw Error(fmt::format("--images {}: expected one sub-folder of images per class, found none", images.string()));
  io::TFRecordWriter writer(out, {.compression = compression});
  Progress progress("wrote");
  int64_t records = 0, skipped = 0;
  uint64_t bytes = 0;
  for (size_t label = 0; label < classes.size(); ++label) {
    int64_t in_class = 0;
    for (const fs::path& file : sorted_entries(classes[label], false)) {
      if (!kImageExtensions.contains(lower(file.extension().string()))) {
        ++skipped;
        continue;
      }
      std::string image = read_file(file);
      bytes += image.size();
      const io::Example example{{"image", io::Feature::bytes(std::move(image))},
                                {"label", io::Feature::int64(static_cast<int64_t>(label))}};
      writer.write(example.SerializeToString());
      ++records, ++in_class;
      progress.update(records, bytes);
    }
    std::printf("label %zu: %s (%lld images)\n", label, classes[label].filename().c_str(), static_cast<long long>(in_class));
  }
  writer.close();
  std::printf("wrote %lld records (%.1f MiB of images) to %s (%s)\n", static_cast<long long>(records), bytes / 1048576.0,
              out.c_str(), std::string(io::compression_name(compression)).c_str());
  if (skipped > 0) std::printf("skipped %lld files that are not images (%s)\n", static_cast<long long>(skipped), ".jpg .jpeg .png .gif .bmp");
  return 0;
}

// A hint for the most common mistake: a compressed file read without --compression.
std::string compression_hint(const fs::path& file, io::Compression compression) {
  if (compression != io::Compression::kNone) return "";
  std::ifstream in(file, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  if (magic[0] == 0x1f && magic[1] == 0x8b) return " (the file starts like gzip: try --compression gzip)";
  if (magic[0] == 0x78) return " (the file may be zlib-compressed: try --compression zlib)";
  return "";
}

struct FeatureStats {
  std::set<std::string> kinds;
  int64_t records = 0;
  size_t min_values = SIZE_MAX, max_values = 0;
};

int inspect_command(const fs::path& file, io::Compression compression) {
  io::TFRecordReader reader(file, {.compression = compression});
  std::map<std::string, FeatureStats> features;
  int64_t records = 0, not_examples = 0;
  uint64_t bytes = 0;
  Progress progress("read");
  try {
    while (auto record = reader.next()) {
      ++records;
      bytes += record->size();
      progress.update(records, bytes);
      io::Example example;
      try {
        example = io::Example::ParseFromString(*record);
      } catch (const Error&) {
        ++not_examples;
        continue;
      }
      for (const auto& [key, feature] : example.features()) {
        FeatureStats& s = features[key];
        s.kinds.insert(std::string(io::feature_kind_name(feature.kind())));
        ++s.records;
        s.min_values = std::min(s.min_values, feature.size());
        s.max_values = std::max(s.max_values, feature.size());
      }
    }
  } catch (const Error& e) {
    throw Error(e.what() + compression_hint(file, compression));
  }
  std::printf("%s: %lld records (%s), %.1f MiB of payload\n", file.c_str(), static_cast<long long>(records),
              std::string(io::compression_name(compression)).c_str(), bytes / 1048576.0);
  if (not_examples > 0) std::printf("%lld records are not tf.train.Examples\n", static_cast<long long>(not_examples));
  if (features.empty()) return 0;
  std::printf("%-24s %-12s %10s  %s\n", "feature", "kind", "records", "values per record");
  for (const auto& [key, s] : features) {
    std::vector<std::string> kinds(s.kinds.begin(), s.kinds.end());
    const std::string lengths =
        s.min_values == s.max_values ? std::to_string(s.min_values) : fmt::format("{}..{}", s.min_values, s.max_values);
    std::printf("%-24s %-12s %10lld  %s\n", key.c_str(), fmt::format("{}", fmt::join(kinds, "|")).c_str(),
                static_cast<long long>(s.records), lengths.c_str());
  }
  return 0;
}

int verify_command(const fs::path& file, io::Compression compression) {
  io::TFRecordReader reader(file, {.compression = compression});
  int64_t records = 0;
  uint64_t bytes = 0;
  Progress progress("verified");
  try {
    while (auto record = reader.next()) {
      ++records;
      bytes += record->size();
      progress.update(records, bytes);
    }
  } catch (const Error& e) {
    throw Error(fmt::format("{}{} ({} good records before it)", e.what(), compression_hint(file, compression), records));
  }
  std::printf("%s: %lld records, every length and payload CRC32C matches\n", file.c_str(), static_cast<long long>(records));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  tapeflow::apps::TfrecordFlags flags;
  if (const std::optional<int> status = tapeflow::apps::parse_tfrecord_flags(flags, argc, argv)) return *status;
  tapeflow::apps::report_file_size_limit_as_error();

  try {
    const io::Compression compression = io::parse_compression(flags.compression);
    switch (flags.command) {
      case tapeflow::apps::TfrecordCommand::kWrite: return write_command(flags.images, flags.out, compression);
      case tapeflow::apps::TfrecordCommand::kInspect: return inspect_command(flags.file, compression);
      case tapeflow::apps::TfrecordCommand::kVerify: return verify_command(flags.file, compression);
    }
    return 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "tfrecord: %s\n", e.what());
    return 1;
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "tfrecord: %s\n", e.what());
    return 1;
  }
}
