// export_images: an MNIST-format folder (Fashion-MNIST by default) as a folder of image files per class,
// the input of `tfrecord write --images`:
//   export_images --out OUT [--data DIR] [--split train|test] [--limit N] [--format jpeg|png] [--quality 95]
// writes OUT/<label>/<index>.jpg, labels and indices zero-padded so that name order is label and file order.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "file_size_limit.h"
#include "tapeflow/error.h"
#include "tapeflow/io/idx.h"
#include "tapeflow/io/image.h"
#include "tapeflow/ops/array.h"
#include "export_images_flags.h"

namespace fs = std::filesystem;
namespace io = tapeflow::io;
namespace tf = tapeflow;

namespace {

// `stem` or `stem.gz` in `dir`, as load_mnist finds its files.
fs::path idx_file(const fs::path& dir, const std::string& stem) {
  for (const char* suffix : {"", ".gz"}) {
    if (fs::exists(dir / (stem + suffix))) return dir / (stem + suffix);
  }
  throw tf::Error(fmt::format("MNIST folder {}: expected {} or {}.gz, found neither", dir.string(), stem, stem));
}

int digits(int64_t n) { return static_cast<int>(std::to_string(n).size()); }

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file.flush()) throw tf::Error(fmt::format("export_images: cannot write {}", path.string()));
}

int run(const tf::apps::ExportImagesFlags& o) {
  if (!fs::is_directory(o.data)) {
    throw tf::Error(fmt::format("export_images: --data {} does not exist or is not a folder", o.data.string()));
  }
  if (fs::exists(o.out) && !fs::is_directory(o.out)) {
    throw tf::Error(fmt::format("export_images: --out {} exists and is not a folder", o.out.string()));
  }
  const std::string prefix = o.split == "train" ? "train" : "t10k";
  const tf::Tensor images = io::read_idx(idx_file(o.data, prefix + "-images-idx3-ubyte"));
  const tf::Tensor labels = io::read_idx(idx_file(o.data, prefix + "-labels-idx1-ubyte"));
  if (images.dtype() != tf::DType::kUInt8 || images.rank() != 3 || labels.dtype() != tf::DType::kUInt8 ||
      labels.rank() != 1 || labels.shape()[0] != images.shape()[0]) {
    throw tf::Error(fmt::format(
        "export_images: expected uint8 images [n, rows, cols] and labels [n], found {} {} and {} {}",
        tf::dtype_name(images.dtype()), images.shape().to_string(), tf::dtype_name(labels.dtype()),
        labels.shape().to_string()));
  }
  const int64_t count = o.limit > 0 ? std::min(o.limit, images.shape()[0]) : images.shape()[0];
  const int64_t rows = images.shape()[1], cols = images.shape()[2];
  const uint8_t* label = labels.data<uint8_t>();
  int max_label = 0;
  for (int64_t i = 0; i < count; ++i) max_label = std::max<int>(max_label, label[i]);
  const std::string extension = o.format == "png" ? "png" : "jpg";
  const std::string encoding = o.format == "png" ? "png" : fmt::format("jpeg, quality {}", o.quality);
  std::printf("export_images: %lld %s images of %lld x %lld from %s -> %s (%s)\n", static_cast<long long>(count),
              o.split.c_str(), static_cast<long long>(rows), static_cast<long long>(cols), o.data.string().c_str(),
              o.out.string().c_str(), encoding.c_str());

  const int64_t every = std::max<int64_t>(count / 10, 1);
  for (int64_t i = 0; i < count; ++i) {
    const fs::path folder = o.out / fmt::format("{:0{}}", label[i], digits(max_label));
    fs::create_directories(folder);
    const tf::Tensor image = tf::slice(images, {i, 0, 0}, {1, rows, cols}).reshape({rows, cols, 1});
    write_file(folder / fmt::format("{:0{}}.{}", i, digits(count - 1), extension),
               o.format == "png" ? io::encode_png(image) : io::encode_jpeg(image, o.quality));
    if ((i + 1) % every == 0 || i + 1 == count) {
      std::printf("  %lld / %lld\n", static_cast<long long>(i + 1), static_cast<long long>(count));
      std::fflush(stdout);
    }
  }
  std::printf("export_images: %d classes in %s\n", max_label + 1, o.out.string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  tf::apps::ExportImagesFlags flags;
  if (const std::optional<int> status = tf::apps::parse_export_images_flags(flags, argc, argv)) return *status;
  tf::apps::report_file_size_limit_as_error();
  try {
    return run(flags);
  } catch (const tf::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "export_images: %s\n", e.what());
    return 1;
  }
}
