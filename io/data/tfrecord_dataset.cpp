#include "tapeflow/data/tfrecord_dataset.h"

#include <memory>

#include "engine/check.h"
#include "tapeflow/io/tfrecord_reader.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow::data {

namespace {

// One file's records; each pass opens the file afresh, so the dataset can be iterated again.
Dataset file_records(const std::string& filename, const io::TFRecordReaderOptions& options) {
  return Dataset::from_generator([filename, options]() -> Dataset::Generator {
    auto reader = std::make_shared<io::TFRecordReader>(filename, options);
    return [reader]() -> std::optional<Element> {
      std::optional<std::string> record = reader->next();
      if (!record) return std::nullopt;
      return Element(constant(std::vector<std::string>{std::move(*record)}, Shape{}));
    };
  });
}

}  // namespace

Dataset TFRecordDataset(std::vector<std::string> filenames, TFRecordDatasetOptions options) {
  TAPEFLOW_CHECK(options.buffer_size > 0, "TFRecordDataset: buffer_size must be positive, found {}", options.buffer_size);
  TAPEFLOW_CHECK(options.num_parallel_reads > 0 || options.num_parallel_reads == AUTOTUNE,
                 "TFRecordDataset: num_parallel_reads must be positive or AUTOTUNE, found {}",
                 options.num_parallel_reads);
  const io::TFRecordReaderOptions reader_options{.compression = options.compression,
                                                 .buffer_size = static_cast<size_t>(options.buffer_size)};
  if (filenames.size() == 1) return file_records(filenames.front(), reader_options);
  const Dataset names = Dataset::from_tensor_slices(Element(constant(filenames, Shape{static_cast<int64_t>(filenames.size())})));
  const int64_t parallel = options.num_parallel_reads;
  return names.interleave(
      [reader_options](const Element& name) { return file_records(name[0].item<std::string>(), reader_options); },
      /*cycle_length=*/parallel, /*block_length=*/1, /*num_parallel_calls=*/parallel);
}

}  // namespace tapeflow::data
