#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_entries.h"
#include "tapeflow/error.h"
#include "tapeflow/io/example.h"
#include "tapeflow/io/parse_example.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow::fuzz {

namespace {

// The feature descriptions the bytes are parsed by: the notes' image + label (the corpus's keys), every dtype
// dense and sparse, a shape and defaults.
const std::vector<io::FeatureSpecs>& feature_specs() {
  static const std::vector<io::FeatureSpecs> specs = {
      {{"image", io::FixedLenFeature({}, DType::kString)}, {"label", io::FixedLenFeature({}, DType::kInt64)}},
      {{"image", io::VarLenFeature(DType::kString)}, {"label", io::VarLenFeature(DType::kInt64)},
       {"values", io::VarLenFeature(DType::kFloat32)}},
      {{"values", io::FixedLenFeature({2, 3}, DType::kFloat32, constant(std::vector<float>(6, 0.5f), Shape{2, 3}))},
       {"label", io::FixedLenFeature({2}, DType::kInt64, constant(std::vector<int64_t>{7, 8}, Shape{2}))},
       {"image", io::FixedLenFeature({1}, DType::kString, constant(std::vector<std::string>{"none"}, Shape{1}))}},
  };
  return specs;
}

// Equal, with float values compared bit for bit (a NaN read from a file must come back as that NaN).
bool same_bits(const io::FeatureMap& a, const io::FeatureMap& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first || x.second.kind() != y.second.kind()) return false;
    if (x.second.kind() != io::Feature::Kind::kFloat) return x.second == y.second;
    const std::vector<float>& u = x.second.float_list();
    const std::vector<float>& v = y.second.float_list();
    // An empty list's data() may be null, which memcmp must not get even for 0 bytes.
    return u.size() == v.size() && (u.empty() || std::memcmp(u.data(), v.data(), u.size() * sizeof(float)) == 0);
  });
}

}  // namespace

// Parsing by a description may reject what is not there (an Error); the bare Example parse decides the
// entry's answer, and what it accepts must survive a round trip unchanged.
void example(std::string_view data) {
  const Tensor batch = constant(std::vector<std::string>{std::string(data), std::string(data)}, Shape{2});
  for (const io::FeatureSpecs& specs : feature_specs()) {
    try {
      io::parse_single_example(data, specs);
    } catch (const Error&) {
    }
    try {
      io::parse_example(batch, specs);
    } catch (const Error&) {
    }
  }
  try {
    io::SequenceExample::ParseFromString(data);
  } catch (const Error&) {
  }
  const io::Example parsed = io::Example::ParseFromString(data);
  if (!same_bits(io::Example::ParseFromString(parsed.SerializeToString()).features(), parsed.features()))
    throw std::logic_error("tf.train.Example: serializing a parsed Example and parsing it back changed it");
}

}  // namespace tapeflow::fuzz
