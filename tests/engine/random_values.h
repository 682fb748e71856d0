#pragma once
// Reproducible host-side test inputs for the kernel tests that call kernels/cpu/ directly.
#include <random>
#include <vector>

namespace tapeflow::testing {

// `count` floats uniform in [low, high), the same for the same seed.
inline std::vector<float> random_values(size_t count, float low, float high, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return values;
}

}  // namespace tapeflow::testing
