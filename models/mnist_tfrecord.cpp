#include "tapeflow/models/mnist_tfrecord.h"

#include "tapeflow/data/tfrecord_dataset.h"
#include "tapeflow/image/image.h"
#include "tapeflow/io/image.h"
#include "tapeflow/io/parse_example.h"
#include "tapeflow/ops/array.h"

namespace tapeflow::models {

data::Element parse_mnist_example(const data::Element& record) {
  static const io::FeatureSpecs specs = {{"image", io::FixedLenFeature({}, DType::kString)},
                                         {"label", io::FixedLenFeature({}, DType::kInt64)}};
  const io::ParsedFeatures features = io::parse_single_example(record[0], specs);
  const Tensor pixels = io::decode_image(features["image"].item<std::string>(), 1);
  return {image::convert_image_dtype(pixels, DType::kFloat32), features["label"]};
}

data::Dataset mnist_tfrecord_dataset(const std::vector<std::string>& files, const MnistTFRecordOptions& options) {
  data::Dataset ds = data::TFRecordDataset(files);
  // Shuffling the serialized records (~1 KB each) rather than decoded images keeps a whole-file buffer small.
  if (options.shuffle_buffer > 0) ds = ds.shuffle(options.shuffle_buffer, options.seed);
  ds = ds.map(parse_mnist_example, options.num_parallel_calls).batch(options.batch_size);
  return options.prefetch ? ds.prefetch(data::AUTOTUNE) : ds;
}

}  // namespace tapeflow::models
