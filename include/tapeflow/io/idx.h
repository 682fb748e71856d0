#pragma once
// IDX files (MNIST, Fashion-MNIST), gzip-compressed or not.
#include <filesystem>
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::io {

// Reads one IDX file: uint8 data as uint8, int32 as int32, float32 as float32 (other element types are
// an error naming the type). The header is checked against the bytes present before anything large
// is allocated; a truncated or lying file is an Error naming the file.
Tensor read_idx(const std::filesystem::path& path);

struct MnistData {
  Tensor train_images;  // float32 [60000, 28, 28, 1] in [0, 1]
  Tensor train_labels;  // int64 [60000]
  Tensor test_images;   // float32 [10000, 28, 28, 1]
  Tensor test_labels;   // int64 [10000]
};

// The four files of an MNIST-format folder ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]),
// images scaled to [0, 1] with a channel dim, labels int64.
MnistData load_mnist(const std::filesystem::path& directory);

// Where Debian's dataset-fashion-mnist package puts Fashion-MNIST.
inline const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace tapeflow::io
