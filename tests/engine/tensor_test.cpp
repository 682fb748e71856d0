// Tensor basics: creation, printing, copies out, casts, views, the allocator and the RNG.
#include <gtest/gtest.h>

#include <omp.h>

#include "kernels/philox.h"
#include "kernels/random.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

TEST(Tensor, ConstantFromNestedLists) {
  const tf::Tensor t = tf::constant({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_EQ(t.shape(), (tf::Shape{2, 3}));
  EXPECT_EQ(t.dtype(), tf::float32);
  EXPECT_EQ(t.numpy<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  const tf::Tensor i = tf::constant({1, 2});
  EXPECT_EQ(i.dtype(), tf::int32);
  const tf::Tensor cube = tf::constant({{{1.f}, {2.f}}, {{3.f}, {4.f}}});
  EXPECT_EQ(cube.shape(), (tf::Shape{2, 2, 1}));
  EXPECT_EQ(tf::constant(2.5f).item<float>(), 2.5f);
  EXPECT_EQ(tf::constant(std::vector<int64_t>{7, 8}, {2, 1}).numpy<int64_t>(), (std::vector<int64_t>{7, 8}));
}

TEST(Tensor, RaggedListAndWrongCountAreErrors) {
  EXPECT_THROW(tf::constant({{1.f, 2.f}, {3.f}}), tf::Error);
  try {
    tf::constant(std::vector<float>{1, 2, 3}, {2, 2});
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(), "constant: 3 values do not fill shape [2, 2] (4 elements)");
  }
}

TEST(Tensor, PrintsLikeNumpyWithCommas) {
  EXPECT_EQ(tf::constant({{-4.f, -4.f}, {4.f, 4.f}}).to_string(), "[[-4, -4], [4, 4]]");
  EXPECT_EQ(tf::constant({0.5f, 1e-5f}).to_string(), "[0.5, 1e-05]");
  EXPECT_EQ(tf::constant(3).to_string(), "3");
  EXPECT_EQ(tf::zeros({0}).to_string(), "[]");
  EXPECT_EQ(tf::constant(std::vector<bool>{true, false}, {2}).to_string(), "[True, False]");
  EXPECT_EQ(tf::constant(std::vector<std::string>{"a", "bc"}, {2}).to_string(), "['a', 'bc']");
  EXPECT_EQ(tf::Tensor().to_string(), "<undefined tensor>");
  // Long tensors are summarised; wide ones break rows onto lines.
  EXPECT_EQ(tf::arange(0, 2000).to_string(), "[0, 1, 2, ..., 1997, 1998, 1999]");
  EXPECT_EQ(tf::fill({2, 30}, 1.f).to_string().find("],\n ["), 90u);  // "[[" + 30 ones and 29 ", "
}

TEST(Tensor, CreationHelpers) {
  EXPECT_EQ(tf::zeros({2, 2}).numpy<float>(), std::vector<float>(4, 0.f));
  EXPECT_EQ(tf::ones({3}, tf::int64).numpy<int64_t>(), std::vector<int64_t>(3, 1));
  EXPECT_EQ(tf::fill({2}, 7.f).numpy<float>(), (std::vector<float>{7, 7}));
  EXPECT_EQ(tf::arange(1, 2, 0.25, tf::float32).numpy<float>(), (std::vector<float>{1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(tf::eye(2).numpy<float>(), (std::vector<float>{1, 0, 0, 1}));
  const tf::Tensor t = tf::constant({1, 2, 3});
  EXPECT_EQ(tf::zeros_like(t).dtype(), tf::int32);
  EXPECT_EQ(tf::ones_like(t).numpy<int32_t>(), (std::vector<int32_t>{1, 1, 1}));
}

TEST(Tensor, DataChecksTheDtype) {
  tf::Tensor t = tf::zeros({2});
  EXPECT_THROW(t.data<int32_t>(), tf::Error);
  EXPECT_THROW(t.numpy<int64_t>(), tf::Error);
  EXPECT_THROW(t.item<float>(), tf::Error);  // two elements
  EXPECT_THROW(tf::Tensor().shape(), tf::Error);
}

TEST(Tensor, ReshapeIsAViewAndCloneIsACopy) {
  tf::Tensor t = tf::constant({1.f, 2.f, 3.f, 4.f, 5.f, 6.f});
  tf::Tensor r = t.reshape({2, -1});
  EXPECT_EQ(r.shape(), (tf::Shape{2, 3}));
  EXPECT_EQ(r.raw_data(), t.raw_data());
  tf::Tensor c = t.clone();
  c.data<float>()[0] = 9.f;
  EXPECT_EQ(t.numpy<float>()[0], 1.f);
  EXPECT_NE(r.id(), t.id());
}

TEST(Tensor, CastConvertsLikeTf) {
  const tf::Tensor f = tf::constant({-1.7f, 0.f, 2.9f});
  EXPECT_EQ(f.cast(tf::int32).numpy<int32_t>(), (std::vector<int32_t>{-1, 0, 2}));
  EXPECT_EQ(f.cast(tf::bool_).numpy<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_THROW(tf::constant(std::vector<std::string>{"x"}, {1}).cast(tf::float32), tf::Error);
}

TEST(Tensor, ToCpuIsIdentityAndCudaNeedsAGpu) {
  const tf::Tensor t = tf::ones({2});
  EXPECT_EQ(t.to(tf::Device::cpu()).raw_data(), t.raw_data());
  if (!tf::cuda_is_available()) {
    try {
      t.to(tf::Device::cuda());
      FAIL();
    } catch (const tf::Error& e) {
      EXPECT_NE(std::string(e.what()).find("device CUDA:0 is not available"), std::string::npos) << e.what();
    }
  } else {
    EXPECT_EQ(t.to(tf::Device::cuda()).to(tf::Device::cpu()).numpy<float>(), t.numpy<float>());
  }
}

TEST(Tensor, FromBlobWrapsWithoutCopying) {
  std::vector<float> buffer{1, 2, 3, 4};
  bool released = false;
  {
    tf::Tensor t = tf::Tensor::from_blob(buffer.data(), {2, 2}, tf::float32, tf::Device::cpu(),
                                         [&](void*) { released = true; });
    EXPECT_EQ(t.data<float>(), buffer.data());
    EXPECT_EQ(tf::reduce_sum(t).item<float>(), 10.f);
  }
  EXPECT_TRUE(released);
}

TEST(Allocator, CountsCurrentAndPeakBytesAndReusesBlocks) {
  tf::reset_peak_memory();
  const size_t before = tf::memory_stats().current_bytes;
  const void* first = nullptr;
  {
    tf::Tensor t = tf::Tensor::empty({1000, 1000});
    first = t.raw_data();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
    EXPECT_GE(tf::memory_stats().current_bytes, before + 4000000);
  }
  EXPECT_EQ(tf::memory_stats().current_bytes, before);
  EXPECT_GE(tf::memory_stats().peak_bytes, before + 4000000);
#if !defined(__SANITIZE_ADDRESS__)  // under ASan every block is its own aligned_alloc (cpu_allocator.cpp)
  tf::Tensor again = tf::Tensor::empty({1000, 1000});
  EXPECT_EQ(again.raw_data(), first);  // the cached block came back: no new page faults
#endif
}

TEST(Random, PhiloxMatchesThePublishedTestVector) {
  // Random123's known-answer test for philox4x32-10 with zero counter and key.
  const tf::kernels::Philox4x32 r = tf::kernels::philox4x32(0, 0, 0);
  EXPECT_EQ(r.x[0], 0x6627e8d5u);
  EXPECT_EQ(r.x[1], 0xe169c58du);
  EXPECT_EQ(r.x[2], 0xbc57ac4cu);
  EXPECT_EQ(r.x[3], 0x9b00dbd8u);
}

// Element i of a uniform draw is word i % 4 of Philox block counter + i / 4, at 1 and 2 threads, for a count
// that spans several of the vectorised loop's chunks and ends inside a block.
TEST(Random, UniformIsPhiloxBlocksInOrder) {
  const int threads = omp_get_max_threads();
  const int64_t n = 4 * 4096 * 5 + 3;
  const uint64_t key = 1234, counter = 99;
  for (int t : {1, 2}) {
    tf::set_num_threads(t);
    std::vector<float> got(n);
    tf::kernels::cpu::philox_uniform(got.data(), n, key, counter, -1.f, 3.f);
    tf::set_num_threads(threads);
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t word = tf::kernels::philox4x32(key, counter + i / 4).x[i % 4];
      ASSERT_EQ(got[i], -1.f + 4.f * tf::kernels::uint_to_unit_float(word)) << "element " << i << ", " << t
                                                                              << " threads";
    }
  }
}

TEST(Random, SeededDrawsRepeatAndDoNotDependOnThreads) {
  const int threads = omp_get_max_threads();
  tf::set_num_threads(1);
  const auto one = tf::random::normal({300, 301}, 0.f, 1.f, 42).numpy<float>();
  tf::set_num_threads(2);
  const auto two = tf::random::normal({300, 301}, 0.f, 1.f, 42).numpy<float>();
  tf::set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_NE(one, tf::random::normal({300, 301}, 0.f, 1.f, 43).numpy<float>());
}

TEST(Random, GlobalSeedRestartsTheSequence) {
  tf::random::set_seed(7);
  const auto a = tf::random::uniform({5}).numpy<float>();
  const auto b = tf::random::uniform({5}).numpy<float>();
  tf::random::set_seed(7);
  EXPECT_EQ(tf::random::uniform({5}).numpy<float>(), a);
  EXPECT_NE(a, b);
}

TEST(Random, DistributionsHaveTheirMoments) {
  const auto u = tf::random::uniform({100000}, -2.f, 4.f, 1).numpy<float>();
  const auto n = tf::random::normal({100000}, 3.f, 2.f, 2).numpy<float>();
  const auto t = tf::random::truncated_normal({100000}, 0.f, 1.f, 3).numpy<float>();
  double su = 0, sn = 0, sn2 = 0, st2 = 0;
  for (float v : u) {
    su += v;
    ASSERT_TRUE(v >= -2.f && v < 4.f) << v;
  }
  for (float v : n) {
    sn += v;
    sn2 += double(v - 3) * (v - 3);
  }
  for (float v : t) {
    st2 += double(v) * v;
    ASSERT_LT(std::abs(v), 2.f);
  }
  EXPECT_NEAR(su / 1e5, 1.0, 0.03);
  EXPECT_NEAR(sn / 1e5, 3.0, 0.03);
  EXPECT_NEAR(std::sqrt(sn2 / 1e5), 2.0, 0.03);
  EXPECT_NEAR(st2 / 1e5, 0.774, 0.02);  // variance of N(0,1) truncated to (-2, 2)
  const auto ints = tf::random::uniform_int({1000}, 3, 6, 4).numpy<int64_t>();
  for (int64_t v : ints) EXPECT_TRUE(v >= 3 && v < 6);
}
