// data::TFRecordDataset: records in file order, parallel reads round-robin as TF's interleave, every
// pass re-reads, compression, corrupt files named with the offset, and the notes' parse pipeline.
#include "tapeflow/data/tfrecord_dataset.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "error_of.h"
#include "tapeflow/io/atomic_file.h"
#include "tapeflow/io/example.h"
#include "tapeflow/io/parse_example.h"
#include "tapeflow/io/tfrecord_writer.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;

namespace {

class TFRecordDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tapeflow_tfds_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::vector<std::string>& records,
                    tf::io::Compression compression = tf::io::Compression::kNone) {
    const std::string path = (dir_ / name).string();
    tf::io::TFRecordWriter writer(path, {.compression = compression});
    for (const std::string& r : records) writer.write(r);
    writer.close();
    return path;
  }
  fs::path dir_;
};

std::vector<std::string> records_of(const tf::data::Dataset& ds) {
  std::vector<std::string> out;
  for (const tf::data::Element& e : ds) out.push_back(e[0].item<std::string>());
  return out;
}

}  // namespace

TEST_F(TFRecordDatasetTest, ReadsFilesInOrderOrRoundRobinAndEveryPassAgain) {
  const std::string a = write("a.tfrecord", {"a0", "a1", "a2", "a3"});
  const std::string b = write("b.tfrecord", {"b0", "b1"});
  EXPECT_EQ(records_of(tf::data::TFRecordDataset({a, b})),
            (std::vector<std::string>{"a0", "a1", "a2", "a3", "b0", "b1"}));
  EXPECT_EQ(records_of(tf::data::TFRecordDataset({a, b}, {.num_parallel_reads = 2})),
            (std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "a3"}));
  EXPECT_EQ(records_of(tf::data::TFRecordDataset({b}).repeat(2)), (std::vector<std::string>{"b0", "b1", "b0", "b1"}));
  const tf::data::Element first = *tf::data::TFRecordDataset({a}).begin();
  EXPECT_EQ(first[0].dtype(), tf::DType::kString);
  EXPECT_EQ(first[0].shape(), tf::Shape{});
}

TEST_F(TFRecordDatasetTest, CompressedFilesNeedTheirCompressionType) {
  const std::string gz = write("c.tfrecord.gz", {"x", "y"}, tf::io::Compression::kGzip);
  EXPECT_EQ(records_of(tf::data::TFRecordDataset({gz}, {.compression = tf::io::Compression::kGzip})),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_THROW(records_of(tf::data::TFRecordDataset({gz})), tf::Error);
}

TEST_F(TFRecordDatasetTest, ACorruptRecordIsAnErrorNamingFileAndOffset) {
  const std::string path = write("bad.tfrecord", {"first", "second"});
  std::string bytes = tf::io::read_file(path);
  bytes[21 + 12] ^= 0x01;  // a payload byte of the second record (the first is 16 + 5 bytes)
  tf::io::write_file_atomically(path, bytes);
  std::vector<std::string> seen;
  const std::string message = tf::testing::error_of([&] {
    for (const tf::data::Element& e : tf::data::TFRecordDataset({path})) seen.push_back(e[0].item<std::string>());
  });
  EXPECT_EQ(seen, std::vector<std::string>{"first"});
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("offset 21"), std::string::npos) << message;
  EXPECT_NE(tf::testing::error_of([&] { records_of(tf::data::TFRecordDataset({(dir_ / "missing").string()})); })
                .find("missing"),
            std::string::npos);
}

TEST_F(TFRecordDatasetTest, TheNotesPipelineParsesAndBatchesExamples) {
  std::vector<std::string> records;
  for (int64_t i = 0; i < 5; ++i)
    records.push_back(tf::io::Example({{"image", tf::io::Feature::bytes("img" + std::to_string(i))},
                                       {"label", tf::io::Feature::int64(i)}})
                          .SerializeToString());
  const std::string path = write("ex.tfrecord", records);
  const tf::io::FeatureSpecs specs = {{"image", tf::io::FixedLenFeature({}, tf::DType::kString)},
                                      {"label", tf::io::FixedLenFeature({}, tf::DType::kInt64)}};
  const auto ds = tf::data::TFRecordDataset({path})
                      .map(
                          [&](tf::data::Element e) {
                            const tf::io::ParsedFeatures f = tf::io::parse_single_example(e[0], specs);
                            return tf::data::Element{f["image"], f["label"]};
                          },
                          tf::data::AUTOTUNE)
                      .batch(2)
                      .prefetch(tf::data::AUTOTUNE);
  std::vector<int64_t> labels;
  std::vector<std::string> images;
  for (const auto& [image, label] : ds) {
    for (int64_t l : label.numpy<int64_t>()) labels.push_back(l);
    for (const std::string& s : image.numpy<std::string>()) images.push_back(s);
  }
  EXPECT_EQ(labels, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(images.back(), "img4");
}
