// parse_single_example / parse_example with TensorFlow's rules (FORMATS.md section 2).
#include "tapeflow/io/parse_example.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "tapeflow/io/example.h"
#include "tapeflow/ops/creation.h"

namespace io = tapeflow::io;
using tapeflow::DType;
using tapeflow::Shape;
using tapeflow::Tensor;
using tapeflow::testing::error_of;

namespace {

std::string notes_example(const std::string& image, int64_t label) {
  return io::Example{{"image", io::Feature::bytes(image)}, {"label", io::Feature::int64(label)}}.SerializeToString();
}

const io::FeatureSpecs kNotesSpec = {{"image", io::FixedLenFeature({}, DType::kString)},
                                     {"label", io::FixedLenFeature({}, DType::kInt64)}};

}  // namespace

TEST(ParseSingleExample, TheNotesPattern) {
  const auto f = io::parse_single_example(notes_example("JPEG bytes", 3), kNotesSpec);
  EXPECT_EQ(f["image"].shape(), Shape{});
  EXPECT_EQ(f["image"].item<std::string>(), "JPEG bytes");
  EXPECT_EQ(f["label"].dtype(), DType::kInt64);
  EXPECT_EQ(f["label"].item<int64_t>(), 3);
  // The same from a scalar string tensor, as a TFRecordDataset element arrives.
  const auto g = io::parse_single_example(tapeflow::constant(std::string(notes_example("x", 1))), kNotesSpec);
  EXPECT_EQ(g["label"].item<int64_t>(), 1);
}

TEST(ParseSingleExample, ShapesDefaultsAndVarLen) {
  const std::string s = io::Example{{"m", io::Feature::floats({1, 2, 3, 4, 5, 6})},
                                    {"tags", io::Feature::bytes({"a", "b", "c"})},
                                    {"unset", io::Feature()}}
                            .SerializeToString();
  const auto f = io::parse_single_example(
      s, {{"m", io::FixedLenFeature({2, 3}, DType::kFloat32)},
          {"missing", io::FixedLenFeature({2}, DType::kInt64, tapeflow::constant(std::vector<int64_t>{7, 8}, Shape{2}))},
          {"unset", io::FixedLenFeature({}, DType::kFloat32, tapeflow::constant(0.5f))},
          {"tags", io::VarLenFeature(DType::kString)},
          {"none", io::VarLenFeature(DType::kInt64)}});
  EXPECT_EQ(f["m"].shape(), (Shape{2, 3}));
  EXPECT_EQ(f["m"].numpy<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(f["missing"].numpy<int64_t>(), (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(f["unset"].item<float>(), 0.5f);  // an unset oneof counts as absent
  const io::SparseTensor& tags = f.sparse.at("tags");
  EXPECT_EQ(tags.values.numpy<std::string>(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(tags.indices.shape(), (Shape{3, 1}));
  EXPECT_EQ(tags.indices.numpy<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(tags.dense_shape.numpy<int64_t>(), std::vector<int64_t>{3});
  EXPECT_EQ(f.sparse.at("none").indices.shape(), (Shape{0, 1}));
  EXPECT_EQ(f.sparse.at("none").dense_shape.numpy<int64_t>(), std::vector<int64_t>{0});
}

TEST(ParseSingleExample, ErrorsNameTheKeyAndBothSides) {
  const std::string s = notes_example("img", 2);
  EXPECT_EQ(error_of([&] { io::parse_single_example(s, {{"width", io::FixedLenFeature({}, DType::kInt64)}}); }),
            "parse_single_example: feature 'width' (int64 with shape []) is required but the Example does not have it "
            "(it has: image, label)");
  EXPECT_EQ(error_of([&] { io::parse_single_example(s, {{"label", io::FixedLenFeature({}, DType::kFloat32)}}); }),
            "parse_single_example: feature 'label': expected float32 values (a float_list), found a int64_list");
  EXPECT_EQ(error_of([&] { io::parse_single_example(s, {{"label", io::VarLenFeature(DType::kString)}}); }),
            "parse_single_example: feature 'label': expected string values (a bytes_list), found a int64_list");
  EXPECT_EQ(error_of([&] { io::parse_single_example(s, {{"label", io::FixedLenFeature({3}, DType::kInt64)}}); }),
            "parse_single_example: feature 'label': expected 3 int64 value(s) for shape [3], found 1");
  EXPECT_EQ(error_of([&] { io::parse_single_example(s, {{"label", io::FixedLenFeature({}, DType::kInt32)}}); }),
            "parse_single_example: feature 'label': dtype must be string, int64 or float32 (the kinds tf.train.Feature "
            "holds), found int32");
  EXPECT_EQ(error_of([&] {
              io::parse_single_example(s, {{"x", io::FixedLenFeature({2}, DType::kInt64, tapeflow::constant(int64_t{1}))}});
            }),
            "parse_single_example: feature 'x': default_value must be int64 with 2 element(s) (shape [2]), found int64 with 1");
  EXPECT_EQ(error_of([&] { io::parse_single_example(std::string_view("\x0a\x05", 2), kNotesSpec); }),
            "parse_single_example: 2 bytes are not a serialized tf.train.Example");
}

TEST(ParseExample, BatchesDenseAndSparse) {
  const Tensor batch = tapeflow::constant(
      std::vector<std::string>{
          io::Example{{"label", io::Feature::int64(4)}, {"ids", io::Feature::int64(std::vector<int64_t>{1, 2, 3})}}.SerializeToString(),
          io::Example{{"label", io::Feature::int64(5)}}.SerializeToString(),
          io::Example{{"label", io::Feature::int64(6)}, {"ids", io::Feature::int64(9)}}.SerializeToString()},
      Shape{3});
  const auto f = io::parse_example(batch, {{"label", io::FixedLenFeature({}, DType::kInt64)}, {"ids", io::VarLenFeature(DType::kInt64)}});
  EXPECT_EQ(f["label"].shape(), Shape{3});
  EXPECT_EQ(f["label"].numpy<int64_t>(), (std::vector<int64_t>{4, 5, 6}));
  const io::SparseTensor& ids = f.sparse.at("ids");
  EXPECT_EQ(ids.values.numpy<int64_t>(), (std::vector<int64_t>{1, 2, 3, 9}));
  EXPECT_EQ(ids.indices.numpy<int64_t>(), (std::vector<int64_t>{0, 0, 0, 1, 0, 2, 2, 0}));
  EXPECT_EQ(ids.dense_shape.numpy<int64_t>(), (std::vector<int64_t>{3, 3}));
}

TEST(ParseExample, ErrorsNameTheExampleInTheBatch) {
  const Tensor batch = tapeflow::constant(
      std::vector<std::string>{notes_example("a", 1), io::Example{{"image", io::Feature::bytes("b")}}.SerializeToString()},
      Shape{2});
  EXPECT_EQ(error_of([&] { io::parse_example(batch, kNotesSpec); }),
            "parse_example: Example 1 of the batch: feature 'label' (int64 with shape []) is required but the Example "
            "does not have it (it has: image)");
  EXPECT_EQ(error_of([&] { io::parse_example(tapeflow::constant(std::string("x")), kNotesSpec); }),
            "parse_example: expected a string vector [batch], found string with shape []");
  const auto empty = io::parse_example(tapeflow::constant(std::vector<std::string>{}, Shape{0}), kNotesSpec);
  EXPECT_EQ(empty["image"].shape(), Shape{0});
}
