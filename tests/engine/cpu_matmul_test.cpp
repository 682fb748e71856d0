// kernels::cpu::matmul with B transposed against a double-precision product, at 1, 2 and 3 threads: products of
// few rows and at least 2^24 multiply-adds, which the oneDNN build splits by columns between the threads
// (kernels/cpu/matmul_onednn.cpp), with column counts that leave a partial band or none to some threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/matmul.h"
#include "random_values.h"

namespace kc = tapeflow::kernels::cpu;
using tapeflow::testing::random_values;

namespace {

struct Product {
  int64_t batch, m, n, k;
};

std::string describe(const Product& p) {
  return std::to_string(p.batch) + " x [" + std::to_string(p.m) + ", " + std::to_string(p.k) + "] x [" +
         std::to_string(p.n) + ", " + std::to_string(p.k) + "]^T";
}

// Every element written and within 1e-5 of the largest |c|.
void expect_matches(const Product& p, unsigned seed) {
  const std::vector<float> a = random_values(p.batch * p.m * p.k, -1.f, 1.f, seed);
  const std::vector<float> b = random_values(p.batch * p.n * p.k, -1.f, 1.f, seed + 1);
  std::vector<float> c(p.batch * p.m * p.n, std::numeric_limits<float>::quiet_NaN());
  kc::matmul(false, true, p.batch, p.m, p.n, p.k, a.data(), p.m * p.k, b.data(), p.n * p.k, c.data());
  double largest = 0, worst = 0;
  for (int64_t i = 0; i < p.batch; ++i)
    for (int64_t r = 0; r < p.m; ++r)
      for (int64_t col = 0; col < p.n; ++col) {
        const float* a_row = a.data() + (i * p.m + r) * p.k;
        const float* b_row = b.data() + (i * p.n + col) * p.k;
        double want = 0;
        for (int64_t j = 0; j < p.k; ++j) want += double(a_row[j]) * b_row[j];
        const float got = c[(i * p.m + r) * p.n + col];
        largest = std::max(largest, std::abs(want));
        worst = std::max(worst, std::isnan(got) ? INFINITY : std::abs(got - want));
      }
  EXPECT_LE(worst / largest, 1e-5) << describe(p) << " at " << omp_get_max_threads() << " threads";
}

TEST(CpuMatmul, FewRowsTimesTransposedMatchesDoubleProduct) {
  const Product products[] = {
      {1, 50, 1000, 400},   // columns in two or three bands, the last partial
      {2, 33, 517, 1024},   // a batch of two, odd sizes
      {1, 8, 20, 131072},   // 20 columns: under one cache line per thread, some threads get none
  };
  const int threads = omp_get_max_threads();
  unsigned seed = 1;
  for (int t : {1, 2, 3}) {
    omp_set_num_threads(t);
    for (const Product& p : products) expect_matches(p, seed += 2);
  }
  omp_set_num_threads(threads);
}

}  // namespace
