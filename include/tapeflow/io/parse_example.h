#pragma once
// tf.io.parse_single_example / tf.io.parse_example: serialized tf.train.Examples to tensors by a
// feature description, with TensorFlow's rules (FORMATS.md section 2):
//   auto f = io::parse_single_example(record, {{"image", io::FixedLenFeature({}, DType::kString)},
//                                             {"label", io::FixedLenFeature({}, DType::kInt64)}});
//   Tensor image = f["image"], label = f["label"];
// dtypes are kString (bytes_list), kInt64 (int64_list) or kFloat32 (float_list).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "tapeflow/dtype.h"
#include "tapeflow/shape.h"
#include "tapeflow/tensor.h"

namespace tapeflow::io {

// A dense feature of a fixed shape ({} for a scalar): exactly shape.num_elements() values. An absent
// key takes `default_value` (same dtype, that many elements), or is an error without one.
struct FixedLenFeature {
  FixedLenFeature(Shape shape, DType dtype, std::optional<Tensor> default_value = std::nullopt)
      : shape(shape), dtype(dtype), default_value(std::move(default_value)) {}
  Shape shape;
  DType dtype;
  std::optional<Tensor> default_value;
};

// Any number of values, returned sparse; an absent key gives none.
struct VarLenFeature {
  explicit VarLenFeature(DType dtype) : dtype(dtype) {}
  DType dtype;
};

using FeatureSpec = std::variant<FixedLenFeature, VarLenFeature>;
using FeatureSpecs = std::map<std::string, FeatureSpec>;

// TensorFlow's SparseTensor: values[i] sits at indices[i] (int64 [n, rank]) in a dense tensor of
// dense_shape (int64 [rank]). One Example gives rank 1 ([n] values at 0..n-1); a batch gives rank 2
// (row, position), dense_shape [batch, longest list].
struct SparseTensor {
  Tensor indices;
  Tensor values;
  Tensor dense_shape;
};

struct ParsedFeatures {
  std::map<std::string, Tensor> dense;         // FixedLenFeature keys
  std::map<std::string, SparseTensor> sparse;  // VarLenFeature keys
  // A dense feature by key; an Error naming the key when there is none.
  const Tensor& operator[](const std::string& key) const;
};

ParsedFeatures parse_single_example(std::string_view serialized, const FeatureSpecs& specs);
// `serialized`: a scalar string tensor (a TFRecordDataset element).
ParsedFeatures parse_single_example(const Tensor& serialized, const FeatureSpecs& specs);
// `serialized`: a string vector [batch]; dense features come back as [batch, ...shape].
ParsedFeatures parse_example(const Tensor& serialized, const FeatureSpecs& specs);

}  // namespace tapeflow::io
