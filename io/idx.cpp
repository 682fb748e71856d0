#include "tapeflow/io/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "engine/check.h"
#include "tapeflow/ops/math.h"

namespace tapeflow::io {

namespace {

// gzread reads gzip and plain files alike.
struct GzFile {
  explicit GzFile(const std::filesystem::path& path) : file(gzopen(path.c_str(), "rb")) {}
  ~GzFile() {
    if (file) gzclose(file);
  }
  gzFile file;
};

size_t read_up_to(GzFile& f, const std::filesystem::path& path, void* dst, size_t n) {
  size_t done = 0;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    const int got = gzread(f.file, static_cast<char*>(dst) + done, chunk);
    if (got < 0) {
      int errnum = 0;
      throw Error(fmt::format("IDX file {}: read error: {}", path.string(), gzerror(f.file, &errnum)));
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

uint32_t big_endian_u32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

struct ElementType {
  DType dtype;
  size_t size;
  const char* name;
};

ElementType element_type(uint8_t code, const std::filesystem::path& path) {
  switch (code) {
    case 0x08: return {DType::kUInt8, 1, "unsigned byte"};
    case 0x0C: return {DType::kInt32, 4, "int32"};
    case 0x0D: return {DType::kFloat32, 4, "float32"};
    default:
      throw Error(fmt::format("IDX file {}: element type 0x{:02X} is not supported (expected 0x08 unsigned byte, "
                              "0x0C int32 or 0x0D float32)",
                              path.string(), code));
  }
}

// The largest IDX file we accept; the real data sets are far smaller (47 MB).
constexpr uint64_t kMaxBytes = uint64_t(1) << 34;

}  // namespace

Tensor read_idx(const std::filesystem::path& path) {
  GzFile f(path);
  TAPEFLOW_CHECK(f.file != nullptr, "IDX file {}: cannot open: {}", path.string(), std::strerror(errno));
  std::array<unsigned char, 4> magic{};
  TAPEFLOW_CHECK(read_up_to(f, path, magic.data(), 4) == 4, "IDX file {}: truncated: the 4-byte header is missing",
                 path.string());
  TAPEFLOW_CHECK(magic[0] == 0 && magic[1] == 0,
                 "IDX file {}: bad magic {:02X}{:02X}{:02X}{:02X} (expected 0000 then type and rank)", path.string(),
                 magic[0], magic[1], magic[2], magic[3]);
  const ElementType type = element_type(magic[2], path);
  const int rank = magic[3];
  TAPEFLOW_CHECK(rank >= 1 && rank <= Shape::kMaxRank, "IDX file {}: rank {} is not in 1..{}", path.string(), rank,
                 Shape::kMaxRank);
  std::array<unsigned char, 4 * Shape::kMaxRank> dims_be{};
  TAPEFLOW_CHECK(read_up_to(f, path, dims_be.data(), 4 * rank) == size_t(4 * rank),
                 "IDX file {}: truncated inside the {} dimension sizes", path.string(), rank);
  Shape shape;
  double promised_bytes = double(type.size);  // in floating point: a lying header may overflow any integer
  for (int i = 0; i < rank; ++i) {
    shape.push_back(big_endian_u32(dims_be.data() + 4 * i));
    promised_bytes *= double(shape[i]);
  }
  TAPEFLOW_CHECK(promised_bytes <= double(kMaxBytes),
                 "IDX file {}: the header promises shape {} ({:.3g} bytes), more than the {} GiB this reader accepts",
                 path.string(), shape, promised_bytes, kMaxBytes >> 30);
  const uint64_t count = uint64_t(promised_bytes) / type.size;
  // Read in chunks into a growing buffer so a header that lies about the size costs no giant allocation.
  std::vector<unsigned char> bytes;
  const size_t want = count * type.size;
  constexpr size_t kChunk = 1 << 24;
  while (bytes.size() < want) {
    const size_t old = bytes.size();
    bytes.resize(std::min(want, old + kChunk));
    const size_t got = read_up_to(f, path, bytes.data() + old, bytes.size() - old);
    TAPEFLOW_CHECK(got == bytes.size() - old, "IDX file {}: truncated: the header promises shape {} ({} bytes of "
                   "data) but only {} are present",
                   path.string(), shape, want, old + got);
  }
  unsigned char extra = 0;
  TAPEFLOW_CHECK(read_up_to(f, path, &extra, 1) == 0, "IDX file {}: has data after the {} bytes of shape {}",
                 path.string(), want, shape);

  Tensor out = Tensor::empty(shape, type.dtype);
  auto* dst = static_cast<unsigned char*>(out.raw_data());
  if (type.size == 1) {
    std::copy(bytes.begin(), bytes.end(), dst);  // not memcpy: an empty vector's data() may be null
  } else {
    for (size_t i = 0; i < count; ++i)  // big-endian to host order
      for (size_t b = 0; b < type.size; ++b) dst[i * type.size + b] = bytes[i * type.size + type.size - 1 - b];
  }
  return out;
}

namespace {

std::filesystem::path find_file(const std::filesystem::path& dir, const std::string& stem) {
  for (const char* suffix : {"", ".gz"}) {
    const std::filesystem::path p = dir / (stem + suffix);
    if (std::filesystem::exists(p)) return p;
  }
  throw Error(fmt::format("MNIST folder {}: expected {} or {}.gz, found neither", dir.string(), stem, stem));
}

Tensor images(const std::filesystem::path& path) {
  const Tensor raw = read_idx(path);
  TAPEFLOW_CHECK(raw.dtype() == DType::kUInt8 && raw.rank() == 3,
                 "MNIST images {}: expected uint8 [count, rows, cols], found {} {}", path.string(),
                 dtype_name(raw.dtype()), raw.shape());
  const Shape& s = raw.shape();
  return (cast(raw, DType::kFloat32) / 255.f).reshape({s[0], s[1], s[2], 1});
}

Tensor labels(const std::filesystem::path& path, int64_t count) {
  const Tensor raw = read_idx(path);
  TAPEFLOW_CHECK(raw.dtype() == DType::kUInt8 && raw.rank() == 1 && raw.shape()[0] == count,
                 "MNIST labels {}: expected uint8 [{}], found {} {}", path.string(), count, dtype_name(raw.dtype()),
                 raw.shape());
  return cast(raw, DType::kInt64);
}

}  // namespace

MnistData load_mnist(const std::filesystem::path& directory) {
  TAPEFLOW_CHECK(std::filesystem::is_directory(directory), "MNIST folder {} does not exist or is not a folder",
                 directory.string());
  MnistData d;
  d.train_images = images(find_file(directory, "train-images-idx3-ubyte"));
  d.train_labels = labels(find_file(directory, "train-labels-idx1-ubyte"), d.train_images.shape()[0]);
  d.test_images = images(find_file(directory, "t10k-images-idx3-ubyte"));
  d.test_labels = labels(find_file(directory, "t10k-labels-idx1-ubyte"), d.test_images.shape()[0]);
  return d;
}

}  // namespace tapeflow::io
