#include "tapeflow/io/parse_example.h"

#include <algorithm>
#include <cstring>

#include "engine/check.h"
#include "proto/example.pb.h"

namespace tapeflow::io {

namespace {

using KindCase = proto::Feature::KindCase;

KindCase kind_for(DType dtype) {
  switch (dtype) {
    case DType::kString: return proto::Feature::kBytesList;
    case DType::kInt64: return proto::Feature::kInt64List;
    case DType::kFloat32: return proto::Feature::kFloatList;
    default: return proto::Feature::KIND_NOT_SET;
  }
}

std::string_view kind_name(KindCase kind) {
  switch (kind) {
    case proto::Feature::kBytesList: return "bytes_list";
    case proto::Feature::kInt64List: return "int64_list";
    case proto::Feature::kFloatList: return "float_list";
    case proto::Feature::KIND_NOT_SET: break;
  }
  return "no list";
}

void check_dtype(const char* op, const std::string& key, DType dtype) {
  TAPEFLOW_CHECK(kind_for(dtype) != proto::Feature::KIND_NOT_SET,
                 "{}: feature '{}': dtype must be string, int64 or float32 (the kinds tf.train.Feature holds), found {}",
                 op, key, dtype_name(dtype));
}

int list_size(const proto::Feature& f) {
  switch (f.kind_case()) {
    case proto::Feature::kBytesList: return f.bytes_list().value_size();
    case proto::Feature::kInt64List: return f.int64_list().value_size();
    case proto::Feature::kFloatList: return f.float_list().value_size();
    case proto::Feature::KIND_NOT_SET: break;
  }
  return 0;
}

// Copies the feature's values (already checked to be `dtype`'s list) to dst.
void copy_values(const proto::Feature& f, DType dtype, void* dst) {
  switch (dtype) {
    case DType::kString: std::copy(f.bytes_list().value().begin(), f.bytes_list().value().end(), static_cast<std::string*>(dst)); break;
    case DType::kInt64: std::copy(f.int64_list().value().begin(), f.int64_list().value().end(), static_cast<int64_t*>(dst)); break;
    case DType::kFloat32: std::copy(f.float_list().value().begin(), f.float_list().value().end(), static_cast<float*>(dst)); break;
    default: break;
  }
}

// Copies `n` elements of `src` (a CPU tensor of dtype) starting at element 0 into dst at element `at`.
void copy_elements(const Tensor& src, Tensor& dst, int64_t at) {
  const int64_t n = src.num_elements();
  if (dst.dtype() == DType::kString) {
    std::copy_n(src.data<std::string>(), n, dst.data<std::string>() + at);
  } else {
    const size_t size = dtype_size(dst.dtype());
    std::memcpy(static_cast<char*>(dst.raw_data()) + at * size, src.raw_data(), n * size);
  }
}

// The dense and sparse outputs of a feature description, filled one Example (row) at a time.
class ExampleParser {
 public:
  ExampleParser(const char* op, const FeatureSpecs& specs, std::optional<int64_t> batch) : op_(op), batch_(batch) {
    for (const auto& [key, spec] : specs) {
      if (const auto* fixed = std::get_if<FixedLenFeature>(&spec)) add_dense(key, *fixed);
      else sparse_.push_back({&key, std::get<VarLenFeature>(spec).dtype});
    }
    for (const SparseSlot& s : sparse_) check_dtype(op_, *s.key, s.dtype);
  }

  void parse(int64_t row, std::string_view serialized) {
    proto::Example example;
    TAPEFLOW_CHECK(example.ParseFromArray(serialized.data(), static_cast<int>(serialized.size())),
                   "{}: {}{} bytes are not a serialized tf.train.Example", op_, where(row), serialized.size());
    auto& features = *example.mutable_features()->mutable_feature();
    present_ = &features;
    for (DenseSlot& slot : dense_) {
      const auto it = features.find(*slot.key);
      const proto::Feature* f = it == features.end() || it->second.kind_case() == proto::Feature::KIND_NOT_SET
                                    ? nullptr : &it->second;  // an unset oneof counts as absent, as in TF
      fill_dense(slot, row, f);
    }
    for (SparseSlot& slot : sparse_) {
      const auto it = features.find(*slot.key);
      if (it == features.end() || it->second.kind_case() == proto::Feature::KIND_NOT_SET) continue;
      check_kind(*slot.key, slot.dtype, it->second, row);
      slot.rows.emplace_back(row, std::move(it->second));
    }
  }

  ParsedFeatures finish() {
    ParsedFeatures out;
    for (DenseSlot& slot : dense_) out.dense.emplace(*slot.key, std::move(slot.out));
    for (SparseSlot& slot : sparse_) out.sparse.emplace(*slot.key, to_sparse(slot));
    return out;
  }

 private:
  struct DenseSlot {
    const std::string* key;
    const FixedLenFeature* spec;
    Tensor out;
    std::optional<Tensor> default_value;  // on the CPU
  };
  struct SparseSlot {
    const std::string* key;
    DType dtype;
    std::vector<std::pair<int64_t, proto::Feature>> rows;  // (row, its list)
  };

  std::string where(int64_t row) const { return batch_ ? fmt::format("Example {} of the batch: ", row) : ""; }

  void add_dense(const std::string& key, const FixedLenFeature& spec) {
    check_dtype(op_, key, spec.dtype);
    DenseSlot slot{&key, &spec, {}, {}};
    if (spec.default_value) {
      const Tensor& d = *spec.default_value;
      TAPEFLOW_CHECK(d.dtype() == spec.dtype && d.num_elements() == spec.shape.num_elements(),
                     "{}: feature '{}': default_value must be {} with {} element(s) (shape {}), found {} with {}",
                     op_, key, dtype_name(spec.dtype), spec.shape.num_elements(), spec.shape, dtype_name(d.dtype()),
                     d.num_elements());
      slot.default_value = d.to(Device::cpu());
    }
    Shape shape;
    if (batch_) shape.push_back(*batch_);
    for (int64_t d : spec.shape) shape.push_back(d);
    slot.out = Tensor::empty(shape, spec.dtype);
    dense_.push_back(std::move(slot));
  }

  void check_kind(const std::string& key, DType dtype, const proto::Feature& f, int64_t row) const {
    TAPEFLOW_CHECK(f.kind_case() == kind_for(dtype), "{}: {}feature '{}': expected {} values (a {}), found a {}", op_,
                   where(row), key, dtype_name(dtype), kind_name(kind_for(dtype)), kind_name(f.kind_case()));
  }

  void fill_dense(DenseSlot& slot, int64_t row, const proto::Feature* f) {
    const FixedLenFeature& spec = *slot.spec;
    const int64_t per_row = spec.shape.num_elements();
    if (f == nullptr) {
      TAPEFLOW_CHECK(slot.default_value.has_value(),
                     "{}: {}feature '{}' ({} with shape {}) is required but the Example does not have it{}", op_,
                     where(row), *slot.key, dtype_name(spec.dtype), spec.shape, present_keys_hint());
      copy_elements(*slot.default_value, slot.out, row * per_row);
      return;
    }
    check_kind(*slot.key, spec.dtype, *f, row);
    const int found = list_size(*f);
    TAPEFLOW_CHECK(found == per_row, "{}: {}feature '{}': expected {} {} value(s) for shape {}, found {}", op_,
                   where(row), *slot.key, per_row, dtype_name(spec.dtype), spec.shape, found);
    const size_t at = static_cast<size_t>(row * per_row);
    if (spec.dtype == DType::kString) copy_values(*f, spec.dtype, slot.out.data<std::string>() + at);
    else copy_values(*f, spec.dtype, static_cast<char*>(slot.out.raw_data()) + at * dtype_size(spec.dtype));
  }

  // " (it has: a, b)": the keys the Example does have, for a missing-key error.
  std::string present_keys_hint() const {
    std::vector<std::string> keys;
    for (const auto& [key, _] : *present_) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    return keys.empty() ? " (it has no features)" : fmt::format(" (it has: {})", fmt::join(keys, ", "));
  }

  SparseTensor to_sparse(const SparseSlot& slot) const {
    int64_t n = 0, longest = 0;
    for (const auto& [row, f] : slot.rows) {
      n += list_size(f);
      longest = std::max<int64_t>(longest, list_size(f));
    }
    const int rank = batch_ ? 2 : 1;
    SparseTensor out{Tensor::empty({n, rank}, DType::kInt64), Tensor::empty({n}, slot.dtype),
                     Tensor::empty({rank}, DType::kInt64)};
    int64_t* indices = out.indices.data<int64_t>();
    int64_t at = 0;
    for (const auto& [row, f] : slot.rows) {
      const int size = list_size(f);
      if (slot.dtype == DType::kString) copy_values(f, slot.dtype, out.values.data<std::string>() + at);
      else copy_values(f, slot.dtype, static_cast<char*>(out.values.raw_data()) + at * dtype_size(slot.dtype));
      for (int j = 0; j < size; ++j, ++at) {
        if (batch_) *indices++ = row;
        *indices++ = j;
      }
    }
    int64_t* dense_shape = out.dense_shape.data<int64_t>();
    if (batch_) *dense_shape++ = *batch_;
    *dense_shape = batch_ ? longest : n;
    return out;
  }

  const char* op_;
  std::optional<int64_t> batch_;
  std::vector<DenseSlot> dense_;
  std::vector<SparseSlot> sparse_;
  const google::protobuf::Map<std::string, proto::Feature>* present_ = nullptr;  // the Example being parsed
};

}  // namespace

const Tensor& ParsedFeatures::operator[](const std::string& key) const {
  const auto it = dense.find(key);
  if (it != dense.end()) return it->second;
  TAPEFLOW_CHECK(!sparse.contains(key), "parsed features: '{}' is a VarLenFeature: read it from .sparse", key);
  std::vector<std::string> keys;
  for (const auto& [k, _] : dense) keys.push_back(k);
  throw Error(fmt::format("parsed features: no dense feature '{}'; there are: {}", key, fmt::join(keys, ", ")));
}

ParsedFeatures parse_single_example(std::string_view serialized, const FeatureSpecs& specs) {
  ExampleParser parser("parse_single_example", specs, std::nullopt);
  parser.parse(0, serialized);
  return parser.finish();
}

ParsedFeatures parse_single_example(const Tensor& serialized, const FeatureSpecs& specs) {
  TAPEFLOW_CHECK(serialized.defined() && serialized.dtype() == DType::kString && serialized.rank() == 0,
                 "parse_single_example: expected a scalar string tensor, found {}",
                 serialized.defined() ? fmt::format("{} with shape {}", dtype_name(serialized.dtype()), serialized.shape())
                                      : std::string("an undefined tensor"));
  const Tensor cpu = serialized.to(Device::cpu());
  return parse_single_example(std::string_view(*cpu.data<std::string>()), specs);
}

ParsedFeatures parse_example(const Tensor& serialized, const FeatureSpecs& specs) {
  TAPEFLOW_CHECK(serialized.defined() && serialized.dtype() == DType::kString && serialized.rank() == 1,
                 "parse_example: expected a string vector [batch], found {}",
                 serialized.defined() ? fmt::format("{} with shape {}", dtype_name(serialized.dtype()), serialized.shape())
                                      : std::string("an undefined tensor"));
  const Tensor cpu = serialized.to(Device::cpu());
  const int64_t batch = cpu.num_elements();
  ExampleParser parser("parse_example", specs, batch);
  for (int64_t row = 0; row < batch; ++row) parser.parse(row, cpu.data<std::string>()[row]);
  return parser.finish();
}

}  // namespace tapeflow::io
