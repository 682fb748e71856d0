#include "tapeflow/keras/initializers.h"

#include <cmath>
#include <map>

#include "engine/check.h"
#include "tapeflow/ops/creation.h"
#include "tapeflow/ops/linalg.h"
#include "tapeflow/ops/math.h"
#include "tapeflow/random.h"

namespace tapeflow::initializers {

std::pair<double, double> compute_fans(const Shape& shape) {
  if (shape.rank() == 0) return {1, 1};
  if (shape.rank() == 1) return {double(shape[0]), double(shape[0])};
  double receptive_field = 1;
  for (int i = 0; i < shape.rank() - 2; ++i) receptive_field *= double(shape[i]);
  return {double(shape[shape.rank() - 2]) * receptive_field, double(shape[shape.rank() - 1]) * receptive_field};
}

namespace {

// Keras's VarianceScaling: variance scale / fan, drawn truncated-normal (stddev corrected for the
// truncation), untruncated normal, or uniform.
enum class Distribution { kTruncatedNormal, kNormal, kUniform };
enum class Mode { kFanIn, kFanOut, kFanAvg };

InitFn variance_scaling(double scale, Mode mode, Distribution distribution) {
  return [=](const Shape& shape) {
    const auto [fan_in, fan_out] = compute_fans(shape);
    const double fan = mode == Mode::kFanIn ? fan_in : mode == Mode::kFanOut ? fan_out : (fan_in + fan_out) / 2;
    const double variance = scale / std::max(1.0, fan);
    switch (distribution) {
      case Distribution::kTruncatedNormal:
        // 0.8796... is the stddev of a unit normal truncated to (-2, 2).
        return random::truncated_normal(shape, 0.f, static_cast<float>(std::sqrt(variance) / 0.87962566103423978));
      case Distribution::kNormal: return random::normal(shape, 0.f, static_cast<float>(std::sqrt(variance)));
      case Distribution::kUniform: {
        const float limit = static_cast<float>(std::sqrt(3 * variance));
        return random::uniform(shape, -limit, limit);
      }
    }
    return Tensor();
  };
}

// A (semi-)orthogonal matrix from the QR decomposition of a normal draw, as Keras's Orthogonal: the
// shape is flattened to [prod(shape[:-1]), shape[-1]].
Tensor orthogonal(const Shape& shape) {
  TAPEFLOW_CHECK(shape.rank() >= 2, "orthogonal initializer: expected a shape of rank >= 2, found {}", shape);
  const int64_t cols = shape[shape.rank() - 1];
  const int64_t rows = shape.num_elements() / std::max<int64_t>(cols, 1);
  const int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  // Modified Gram-Schmidt on the columns of an m x n normal matrix (n <= m), in double. Each column is kept
  // contiguous (column j at q[j * m]): walking a column of the row-major draw strided by n missed the cache on
  // every element and made this ~0.4 s of a char-RNN's start for its [256, 1024] recurrent kernel.
  const std::vector<float> draw = random::normal({m, n}).numpy<float>();
  std::vector<double> q(draw.size());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) q[j * m + i] = draw[i * n + j];
  for (int64_t j = 0; j < n; ++j) {
    double* column = q.data() + j * m;
    for (int64_t k = 0; k < j; ++k) {
      const double* done = q.data() + k * m;
      double dot = 0;
      for (int64_t i = 0; i < m; ++i) dot += column[i] * done[i];
      for (int64_t i = 0; i < m; ++i) column[i] -= dot * done[i];
    }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += column[i] * column[i];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < m; ++i) column[i] /= norm;
  }
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = static_cast<float>(rows >= cols ? q[c * m + r] : q[r * m + c]);  // transpose if wide
  return constant(out, shape);
}

const std::map<std::string, InitFn>& registry() {
  static const std::map<std::string, InitFn> fns = {
      {"glorot_uniform", variance_scaling(1, Mode::kFanAvg, Distribution::kUniform)},
      {"glorot_normal", variance_scaling(1, Mode::kFanAvg, Distribution::kTruncatedNormal)},
      {"he_normal", variance_scaling(2, Mode::kFanIn, Distribution::kTruncatedNormal)},
      {"he_uniform", variance_scaling(2, Mode::kFanIn, Distribution::kUniform)},
      {"lecun_normal", variance_scaling(1, Mode::kFanIn, Distribution::kTruncatedNormal)},
      {"lecun_uniform", variance_scaling(1, Mode::kFanIn, Distribution::kUniform)},
      {"random_normal", [](const Shape& s) { return random::normal(s, 0.f, 0.05f); }},
      {"random_uniform", [](const Shape& s) { return random::uniform(s, -0.05f, 0.05f); }},
      {"truncated_normal", [](const Shape& s) { return random::truncated_normal(s, 0.f, 0.05f); }},
      {"zeros", [](const Shape& s) { return zeros(s); }},
      {"ones", [](const Shape& s) { return ones(s); }},
      {"orthogonal", orthogonal},
  };
  return fns;
}

InitFn lookup(const std::string& name) {
  const auto it = registry().find(name);
  if (it != registry().end()) return it->second;
  std::string known;
  for (const auto& [n, fn] : registry()) known += (known.empty() ? "" : ", ") + n;
  throw Error(fmt::format("unknown initializer '{}' (expected one of: {})", name, known));
}

}  // namespace

Initializer::Initializer(const char* name) : Initializer(std::string(name)) {}
Initializer::Initializer(const std::string& name) : fn_(lookup(name)), name_(name) {}
Initializer::Initializer(InitFn fn, std::string name) : fn_(std::move(fn)), name_(std::move(name)) {}

}  // namespace tapeflow::initializers
