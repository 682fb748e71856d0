#pragma once
// A small synthetic MNIST-format folder for the program tests: two classes a small MLP separates easily.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tapeflow/random.h"
#include "tapeflow/tensor.h"

namespace tapeflow::testing {

inline void write_idx(const std::filesystem::path& p, const std::vector<uint32_t>& dims,
                      const std::vector<uint8_t>& data) {
  std::ofstream out(p, std::ios::binary);
  out << '\0' << '\0' << '\x08' << static_cast<char>(dims.size());
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out << static_cast<char>((d >> shift) & 0xFF);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// <prefix>-images-idx3-ubyte and <prefix>-labels-idx1-ubyte with n images: bright left half (label 0)
// or bright right half (label 1), with noise, all drawn from `seed`.
inline void write_mnist_split(const std::filesystem::path& dir, const std::string& prefix, int n, uint64_t seed) {
  const std::vector<int64_t> labels = random::uniform_int({n}, 0, 2, seed).numpy<int64_t>();
  const std::vector<float> noise = random::uniform({n, 28, 28}, 0.f, 60.f, seed + 1).numpy<float>();
  std::vector<uint8_t> images(static_cast<size_t>(n) * 784), label_bytes;
  for (int i = 0; i < n; ++i) {
    label_bytes.push_back(static_cast<uint8_t>(labels[i]));
    for (int p = 0; p < 784; ++p) {
      const bool bright = (p % 28 < 14) == (labels[i] == 0);
      images[i * 784 + p] = static_cast<uint8_t>((bright ? 180.f : 0.f) + noise[i * 784 + p]);
    }
  }
  write_idx(dir / (prefix + "-images-idx3-ubyte"), {static_cast<uint32_t>(n), 28, 28}, images);
  write_idx(dir / (prefix + "-labels-idx1-ubyte"), {static_cast<uint32_t>(n)}, label_bytes);
}

}  // namespace tapeflow::testing
