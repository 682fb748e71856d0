// Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/) with tapeflow's own writers: small valid
// files of every kind each parser reads, plus a few broken ones (truncated, a flipped byte, a lying header).
//   build/bin/fuzz_seed_corpus tests/fuzz/corpus
#include <fmt/format.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "checkpointed_objects.h"
#include "tapeflow/io/example.h"
#include "tapeflow/io/image.h"
#include "tapeflow/io/safetensors.h"
#include "tapeflow/io/tfrecord_writer.h"
#include "tapeflow/train/checkpoint_state.h"

namespace fs = std::filesystem;
namespace tf = tapeflow;
namespace io = tapeflow::io;

namespace {

fs::path out_dir;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void put(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(out_dir / target);
  std::ofstream(out_dir / target / name, std::ios::binary) << bytes;
}

std::string cut(std::string bytes, size_t keep) { return bytes.substr(0, std::min(keep, bytes.size())); }

std::string flip(std::string bytes, size_t at) {
  bytes[at % bytes.size()] ^= 0x20;
  return bytes;
}

std::string gzip(const std::string& bytes) {
  const fs::path tmp = out_dir / "tmp.gz";
  gzFile f = gzopen(tmp.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  std::string out = read_bytes(tmp);
  fs::remove(tmp);
  return out;
}

// An IDX file: magic 00 00 type rank, big-endian dims, then the big-endian elements.
std::string idx_file(uint8_t type, const std::vector<uint32_t>& dims, const std::string& data) {
  std::string out = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (const uint32_t d : dims)
    for (const int shift : {24, 16, 8, 0}) out += static_cast<char>((d >> shift) & 0xFF);
  return out + data;
}

void idx() {
  std::string pixels;
  for (int i = 0; i < 3 * 4 * 5; ++i) pixels += static_cast<char>(i * 4);
  const std::string images = idx_file(0x08, {3, 4, 5}, pixels);
  put("idx", "images.idx", images);
  put("idx", "images.idx.gz", gzip(images));
  put("idx", "labels.idx", idx_file(0x08, {3}, "\x01\x07\x09"));
  put("idx", "int32.idx", idx_file(0x0C, {2, 1}, std::string("\x00\x00\x01\x00\xff\xff\xff\xfe", 8)));
  put("idx", "float32.idx", idx_file(0x0D, {2}, std::string("\x3f\x80\x00\x00\x7f\xc0\x00\x00", 8)));
  put("idx", "truncated.idx", cut(images, 30));
  put("idx", "lying_dims.idx", idx_file(0x08, {60000, 28, 28}, pixels));
}

std::vector<std::string> examples() {
  return {io::Example{{"image", io::Feature::bytes("\x89PNG not really")}, {"label", io::Feature::int64(3)}}
              .SerializeToString(),
          io::Example{{"values", io::Feature::floats({0.5f, -1.f, 2.f, 3.f, 4.f, 5.f})},
                      {"label", io::Feature::int64(std::vector<int64_t>{7, 8})},
                      {"image", io::Feature::bytes({"a", "b"})}}
              .SerializeToString(),
          io::Example{}.SerializeToString()};
}

void tfrecord() {
  for (const auto& [name, compression] : {std::pair{"plain.tfrecord", io::Compression::kNone},
                                          std::pair{"zlib.tfrecord", io::Compression::kZlib},
                                          std::pair{"gzip.tfrecord", io::Compression::kGzip}}) {
    const fs::path path = out_dir / "tfrecord" / name;
    fs::create_directories(path.parent_path());
    io::TFRecordWriter writer(path, {.compression = compression});
    for (const std::string& record : examples()) writer.write(record);
    writer.close();
  }
  const std::string plain = read_bytes(out_dir / "tfrecord" / "plain.tfrecord");
  put("tfrecord", "payload_crc.tfrecord", flip(plain, 14));
  put("tfrecord", "length_crc.tfrecord", flip(plain, 9));
  put("tfrecord", "truncated.tfrecord", cut(plain, plain.size() - 3));
  put("tfrecord", "truncated_gzip.tfrecord", cut(read_bytes(out_dir / "tfrecord" / "gzip.tfrecord"), 40));
}

void example() {
  const std::vector<std::string> records = examples();
  for (size_t i = 0; i < records.size(); ++i) put("example", "example" + std::to_string(i) + ".pb", records[i]);
  const io::SequenceExample sequence{.context = {{"label", io::Feature::int64(1)}},
                                     .feature_lists = {{"frames", {io::Feature::floats({1.f}), io::Feature::bytes("x")}}}};
  put("example", "sequence.pb", sequence.SerializeToString());
  put("example", "truncated.pb", cut(records[1], records[1].size() / 2));
}

void safetensors() {
  const std::string bytes = io::serialize_safetensors(
      {{"f32", tf::constant(std::vector<float>{1, 2, 3, 4, 5, 6}, tf::Shape{2, 3})},
       {"i64", tf::constant(std::vector<int64_t>{-1}, tf::Shape{})},
       {"u8", tf::constant(std::vector<uint8_t>{}, tf::Shape{0, 2})}},
      {{"format", "pt"}});
  put("safetensors", "tensors.safetensors", bytes);
  put("safetensors", "truncated.safetensors", cut(bytes, bytes.size() - 5));
  std::string lying = bytes;
  lying[5] = 0x7f;  // the header length's high bytes
  put("safetensors", "lying_length.safetensors", lying);
}

void checkpoint() {
  tf::fuzz::CheckpointedObjects objects;
  const fs::path dir = out_dir / "tmp-ckpt";
  objects.checkpoint.save((dir / "ckpt").string());
  const std::string data = read_bytes(dir / "ckpt-1.safetensors");
  put("checkpoint", "ckpt-1.safetensors", data);
  put("checkpoint", "checksum.safetensors", flip(data, data.size() - 2));
  put("checkpoint_state", "checkpoint", read_bytes(dir / tf::train::kCheckpointStateFile));
  fs::remove_all(dir);
  const tf::train::CheckpointState kept{.model_checkpoint_path = "ckpt-3",
                                        .all_model_checkpoint_paths = {"ckpt-1", "/abs/ckpt-2", "ckpt-3"},
                                        .all_model_checkpoint_timestamps = {1.7e9, 1.7e9 + 0.5, 1.7e9 + 1},
                                        .last_preserved_timestamp = 1.6e9};
  put("checkpoint_state", "kept_three", kept.to_text());
  put("checkpoint_state", "unknown_field", "model_checkpoint_path: \"a\"\nnot_a_field: 3\n");
}

void image() {
  std::vector<uint8_t> pixels(8 * 6 * 4);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 37);
  const auto picture = [&](int64_t channels) {
    return tf::constant(std::vector<uint8_t>(pixels.begin(), pixels.begin() + 8 * 6 * channels),
                        tf::Shape{6, 8, channels});
  };
  for (const int64_t channels : {1, 2, 3, 4})
    put("image", fmt::format("c{}.png", channels), io::encode_png(picture(channels)));
  for (const int64_t channels : {1, 3})
    put("image", fmt::format("c{}.jpg", channels), io::encode_jpeg(picture(channels)));
  const std::string png = io::encode_png(picture(3)), jpeg = io::encode_jpeg(picture(3));
  put("image", "truncated.png", cut(png, png.size() - 20));
  put("image", "truncated.jpg", cut(jpeg, jpeg.size() / 2));
  put("image", "flipped.png", flip(png, 40));
}

void text() {
  put("text", "fortune.txt", "Q: How many engineers does it take to fuzz a parser?\nA: One, and a seed corpus.\n%\n");
  put("text", "binary.txt", std::string("\x00\xff\x80text\x00", 8));
}

void flags() {
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"train_mnist", "train_mnist\n--model\nmlp\n--epochs\n2\n--batch-size\n64\n--device\ncuda:1\n--lr\n1e-3\n"},
      {"train_mnist_tfrecord", "train_mnist\n--tfrecord\na.tfrecord\nb.tfrecord\n--resume\n--ckpt-dir\nckpt\n"},
      {"textgen", "textgen\n--steps=10\n--seq-length\n40\n--sample-only\n--device\ncpu\n--seed\n18446744073709551615\n"},
      {"tfrecord_write", "tfrecord\nwrite\n--images\nimgs\n--out\nx.tfrecord\n--compression\ngzip\n"},
      {"tfrecord_verify", "tfrecord\nverify\nx.tfrecord\n--compression\nZLIB\n"},
      {"export_images", "export_images\n--out\nout\n--split\ntest\n--limit\n10\n--format\npng\n--quality\n100\n"},
      {"train_bench", "train_bench\n--model\nrnn\n--seconds\n0.5\n--batch-size\n7\n--eval\n--warmup-steps\n1\n"},
      {"help", "textgen\n--help\n"},
      {"bad_number", "train_mnist\n--epochs\n-3\n"},
  };
  for (const auto& [name, command] : commands) put("flags", name, command);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  idx();
  tfrecord();
  example();
  safetensors();
  checkpoint();
  image();
  text();
  flags();
  return 0;
}
