// The tapeflow side of check_images.py:
//   interop_images decode FILE CHANNELS OUT   writes OUT: "height width channels\n" then the decoded pixels
//   interop_images encode DIR                 writes DIR/{rgba.png,gray.png,rgb.jpg,gray.jpg} and, for each,
//                                             the source pixels as <name>.raw (same layout as decode's OUT)
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tapeflow/io/image.h"

namespace fs = std::filesystem;
namespace io = tapeflow::io;
using tapeflow::Tensor;

namespace {

void write_raw(const fs::path& path, const Tensor& image) {
  std::ofstream out(path, std::ios::binary);
  out << fmt::format("{} {} {}\n", image.shape()[0], image.shape()[1], image.shape()[2]);
  out.write(static_cast<const char*>(image.raw_data()), static_cast<std::streamsize>(image.nbytes()));
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A deterministic picture with edges and gradients: uint8 [h, w, c].
Tensor picture(int64_t h, int64_t w, int64_t c) {
  Tensor t = Tensor::empty({h, w, c}, tapeflow::DType::kUInt8);
  uint8_t* p = t.data<uint8_t>();
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t k = 0; k < c; ++k) {
        *p++ = static_cast<uint8_t>((x * 7 + y * 3 * (k + 1) + ((x / 5 + y / 4) % 2) * 90) % 256);
      }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "decode" && argc == 5) {
      std::stringstream bytes;
      bytes << std::ifstream(argv[2], std::ios::binary).rdbuf();
      write_raw(argv[4], io::decode_image(bytes.str(), std::stoi(argv[3])));
      return 0;
    }
    if (command == "encode" && argc == 3) {
      const fs::path dir = argv[2];
      fs::create_directories(dir);
      const Tensor rgba = picture(23, 31, 4), gray = picture(19, 26, 1), rgb = picture(40, 56, 3);
      write_bytes(dir / "rgba.png", io::encode_png(rgba));
      write_raw(dir / "rgba.raw", rgba);
      write_bytes(dir / "gray.png", io::encode_png(gray));
      write_raw(dir / "gray.raw", gray);
      write_bytes(dir / "rgb.jpg", io::encode_jpeg(rgb, 95));
      write_raw(dir / "rgb.raw", rgb);
      write_bytes(dir / "gray.jpg", io::encode_jpeg(gray, 95));
      return 0;
    }
    std::fprintf(stderr, "usage: interop_images decode FILE CHANNELS OUT | encode DIR\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "interop_images: %s\n", e.what());
    return 1;
  }
}
