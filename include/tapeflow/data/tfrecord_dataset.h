#pragma once
// tf.data.TFRecordDataset: the records of one or more TFRecord files as scalar string tensors, files in
// order (num_parallel_reads > 1: that many files read round-robin, read ahead on background threads, as
// TF's interleave of per-file readers). Corrupt or truncated records are Errors naming the file and the
// byte offset when the iteration reaches them.
//
//   auto ds = tf::data::TFRecordDataset({"train.tfrecord"}).map(parse, tf::data::AUTOTUNE).batch(50);
#include <cstdint>
#include <string>
#include <vector>

#include "tapeflow/data/dataset.h"
#include "tapeflow/io/compression.h"

namespace tapeflow::data {

struct TFRecordDatasetOptions {
  io::Compression compression = io::Compression::kNone;  // TF's compression_type "", "ZLIB", "GZIP"
  int64_t buffer_size = 256 * 1024;                      // read buffer per file, bytes
  int64_t num_parallel_reads = 1;                        // files read at once (AUTOTUNE: one per core)
};

Dataset TFRecordDataset(std::vector<std::string> filenames, TFRecordDatasetOptions options = {});

}  // namespace tapeflow::data
