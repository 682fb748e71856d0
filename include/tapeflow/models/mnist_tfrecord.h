#pragma once
// The notes' TFRecord input pipeline for MNIST-style images: records written by `tfrecord write` (an
// Example with `image` bytes — a JPEG or PNG file — and `label` int64) become (image, label) batches:
//   TFRecordDataset -> shuffle -> map(parse + decode + scale to [0, 1], AUTOTUNE) -> batch -> prefetch
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tapeflow/data/dataset.h"

namespace tapeflow::models {

struct MnistTFRecordOptions {
  int64_t batch_size = 50;
  // Records held for shuffling; 0: no shuffle (evaluation). Files written class by class (as `tfrecord
  // write` does) need a buffer as large as the file for well-mixed batches, as in TF.
  int64_t shuffle_buffer = 10000;
  std::optional<uint64_t> seed;
  int64_t num_parallel_calls = data::AUTOTUNE;  // for the parse + decode map
  bool prefetch = true;
};

// One record -> (float32 [28, 28, 1] in [0, 1], int64 label). Errors name the missing or wrong feature,
// or what is wrong with the image.
data::Element parse_mnist_example(const data::Element& record);

data::Dataset mnist_tfrecord_dataset(const std::vector<std::string>& files, const MnistTFRecordOptions& options = {});

}  // namespace tapeflow::models
