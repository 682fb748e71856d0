// The C++ side of the TFRecord interop test (check_tfrecord.py):
//   interop_tfrecord write DIR         tapeflow_{none,zlib,gzip}.tfrecord holding the shared examples
//   interop_tfrecord dump FILE COMP    every record's Example as one JSON line (floats as their bit patterns)
// The shared examples are defined twice, here and in check_tfrecord.py, on purpose: each side checks the
// other's files against its own definition.
#include <fmt/format.h>

#include <bit>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tapeflow/io/example.h"
#include "tapeflow/io/parse_example.h"
#include "tapeflow/io/tfrecord_reader.h"
#include "tapeflow/io/tfrecord_writer.h"

namespace io = tapeflow::io;

namespace {

constexpr int kRecords = 5;

// Record i: image = 10i+3 bytes (37i + k) mod 256, label = i - 2, ids = [-2^62, i, 2^62],
// scores = [0.25 i, -1.5, 0.1], tags = ["tag0" .. "tag{i-1}"] (empty for i = 0).
io::Example shared_example(int i) {
  std::string image;
  for (int k = 0; k < 10 * i + 3; ++k) image += static_cast<char>((37 * i + k) % 256);
  std::vector<std::string> tags;
  for (int j = 0; j < i; ++j) tags.push_back(fmt::format("tag{}", j));
  return io::Example{{"image", io::Feature::bytes(image)},
                     {"label", io::Feature::int64(i - 2)},
                     {"ids", io::Feature::int64(std::vector<int64_t>{-(int64_t{1} << 62), i, int64_t{1} << 62})},
                     {"scores", io::Feature::floats({0.25f * static_cast<float>(i), -1.5f, 0.1f})},
                     {"tags", io::Feature::bytes(tags)}};
}

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

nlohmann::json to_json(const io::Example& example) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, f] : example.features()) {
    nlohmann::json values = nlohmann::json::array();
    switch (f.kind()) {
      case io::Feature::Kind::kBytes: for (const auto& v : f.bytes_list()) values.push_back(hex(v)); break;
      case io::Feature::Kind::kFloat: for (float v : f.float_list()) values.push_back(std::bit_cast<uint32_t>(v)); break;
      case io::Feature::Kind::kInt64: for (int64_t v : f.int64_list()) values.push_back(v); break;
      case io::Feature::Kind::kNone: break;
    }
    j[key] = {{"kind", io::feature_kind_name(f.kind())}, {"values", values}};
  }
  return j;
}

void write(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const char* compression : {"none", "zlib", "gzip"}) {
    io::TFRecordWriter writer(dir / fmt::format("tapeflow_{}.tfrecord", compression),
                              {.compression = io::parse_compression(compression)});
    for (int i = 0; i < kRecords; ++i) writer.write(shared_example(i).SerializeToString());
    writer.close();
  }
}

void dump(const std::filesystem::path& file, const std::string& compression) {
  io::TFRecordReader reader(file, {.compression = io::parse_compression(compression)});
  while (auto record = reader.next()) {
    const io::Example example = io::Example::ParseFromString(*record);
    // The notes' parse must agree with the generic view.
    const auto parsed = io::parse_single_example(*record, {{"image", io::FixedLenFeature({}, tapeflow::DType::kString)},
                                                           {"label", io::FixedLenFeature({}, tapeflow::DType::kInt64)},
                                                           {"tags", io::VarLenFeature(tapeflow::DType::kString)}});
    if (parsed["image"].item<std::string>() != example.at("image").bytes_list().at(0) ||
        parsed["label"].item<int64_t>() != example.at("label").int64_list().at(0) ||
        parsed.sparse.at("tags").values.numpy<std::string>() != example.at("tags").bytes_list())
      throw tapeflow::Error("parse_single_example disagrees with Example::ParseFromString");
    std::printf("%s\n", to_json(example).dump().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "write" && argc == 3) {
      write(argv[2]);
      return 0;
    }
    if (mode == "dump" && argc == 4) {
      dump(argv[2], argv[3]);
      return 0;
    }
    std::fprintf(stderr, "usage: interop_tfrecord write DIR | dump FILE none|zlib|gzip\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "interop_tfrecord: %s\n", e.what());
    return 1;
  }
}
