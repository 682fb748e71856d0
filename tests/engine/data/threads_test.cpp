// The threaded transformations: parallel map (equal to serial, errors from workers, unordered mode),
// prefetch (overlap, errors, early destruction), prefetch_to_device on the CPU and, with a GPU, CUDA.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "data_test_util.h"
#include "error_of.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tf::data::AUTOTUNE;
using tf::data::Dataset;
using tf::data::Element;
using tf::testing::error_of;
using tf::testing::flat_values;
using tf::testing::iota;
using V = std::vector<int64_t>;
using Clock = std::chrono::steady_clock;

namespace {

// A map function whose running time varies by element, so that workers finish out of order.
Element jittered_square(const Element& e) {
  const int64_t v = e[0].item<int64_t>();
  std::this_thread::sleep_for(std::chrono::microseconds((v * 7919) % 5 * 200));
  return tf::constant(v * v);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

TEST(DatasetParallelMap, EqualsSerialMapInOrder) {
  const V serial = flat_values(Dataset::range(200).map(jittered_square));
  EXPECT_EQ(flat_values(Dataset::range(200).map(jittered_square, 4)), serial);
  EXPECT_EQ(flat_values(Dataset::range(200).map(jittered_square, AUTOTUNE).batch(7)), serial);
  EXPECT_EQ(flat_values(Dataset::range(0).map(jittered_square, 4)), V{});
}

TEST(DatasetParallelMap, NonDeterministicGivesEveryElementOnce) {
  V out = flat_values(Dataset::range(100).map(jittered_square, 4, /*deterministic=*/false));
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, flat_values(Dataset::range(100).map(jittered_square)));
}

TEST(DatasetParallelMap, ErrorOnAWorkerReachesTheConsumerInOrder) {
  const Dataset ds = Dataset::range(50).map(
      [](const Element& e) -> Element {
        if (e[0].item<int64_t>() == 20) throw std::runtime_error("cannot decode element 20");
        return e;
      },
      4);
  tf::data::Iterator it = ds.begin();
  for (int64_t i = 0; i < 20; ++i) EXPECT_EQ(it.next()->tensors()[0].item<int64_t>(), i);
  const std::string expected = "Dataset.map: the function threw: cannot decode element 20";
  EXPECT_EQ(error_of([&] { it.next(); }), expected);
  EXPECT_EQ(error_of([&] { it.next(); }), expected);  // sticky: the pass does not go on silently
}

TEST(DatasetParallelMap, EarlyDestructionStopsTheWorkers) {
  std::atomic<int> calls{0};
  const Dataset ds = Dataset::range(1000000).map([&](const Element& e) { ++calls; return e; }, 4).prefetch(4);
  for (int round = 0; round < 20; ++round) {
    tf::data::Iterator it = ds.begin();
    it.next();
  }  // each iterator joins its threads here; a hang fails the test by its timeout
  EXPECT_LT(calls.load(), 20 * 100);  // the window bounds the work done ahead
}

TEST(DatasetPrefetch, OverlapsASlowProducerWithASlowConsumer) {
  constexpr int kSteps = 10;
  constexpr auto kWork = std::chrono::milliseconds(20);
  const Dataset slow = Dataset::range(kSteps).map([&](const Element& e) {
    std::this_thread::sleep_for(kWork);
    return e;
  });
  const auto start = Clock::now();
  int consumed = 0;
  for (const Element& e : slow.prefetch(2)) {
    (void)e;
    std::this_thread::sleep_for(kWork);
    ++consumed;
  }
  const double overlapped = seconds_since(start);
  EXPECT_EQ(consumed, kSteps);
  const double serial_sum = 2 * kSteps * std::chrono::duration<double>(kWork).count();  // 0.4 s
  EXPECT_LT(overlapped, 0.8 * serial_sum) << "prefetch did not overlap producer and consumer";
}

TEST(DatasetPrefetch, KeepsOrderAndCardinality) {
  EXPECT_EQ(flat_values(Dataset::range(100).prefetch(AUTOTUNE)), iota(0, 100));
  EXPECT_EQ(flat_values(Dataset::range(100).prefetch(1).batch(9).prefetch(3)), iota(0, 100));
  EXPECT_EQ(Dataset::range(10).prefetch(1).cardinality(), 10);
  EXPECT_EQ(flat_values(Dataset::range(0).prefetch(2)), V{});
  EXPECT_EQ(error_of([] { Dataset::range(1).prefetch(0); }),
            "Dataset.prefetch: buffer_size must be positive or AUTOTUNE, found 0");
}

TEST(DatasetPrefetch, ErrorFromTheBackgroundThreadIsSticky) {
  const Dataset ds = Dataset::from_generator([] {
                       return [i = 0]() mutable -> std::optional<Element> {
                         if (i == 3) throw std::runtime_error("truncated record");
                         return Element(tf::constant(int64_t{i++}));
                       };
                     }).prefetch(2);
  tf::data::Iterator it = ds.begin();
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(it.next()->tensors()[0].item<int64_t>(), i);
  const std::string expected = "Dataset.from_generator: the function threw: truncated record";
  EXPECT_EQ(error_of([&] { it.next(); }), expected);
  EXPECT_EQ(error_of([&] { it.next(); }), expected);
}

TEST(DatasetPrefetch, EarlyDestructionWithABlockedProducer) {
  // The producer is parked on a full buffer of an endless dataset when the iterator goes away.
  const Dataset endless = Dataset::range(1).repeat().prefetch(1);
  for (int round = 0; round < 50; ++round) {
    tf::data::Iterator it = endless.begin();
    if (round % 2) it.next();
  }
  SUCCEED();  // reached only if every destructor returned
}

TEST(DatasetPrefetchToDevice, OnTheCpuIsAPlainPrefetch) {
  const Dataset ds = Dataset::from_tensor_slices({tf::fill({6, 3}, 2.f), tf::constant(std::vector<std::string>(6, "s"), {6})})
                         .batch(4)
                         .prefetch_to_device(tf::Device::cpu());
  std::vector<int64_t> sizes;
  for (auto [x, s] : ds) {
    EXPECT_TRUE(x.device().is_cpu());
    sizes.push_back(x.shape()[0]);
  }
  EXPECT_EQ(sizes, (V{4, 2}));
}

TEST(DatasetPrefetchToDevice, CopiesNumericComponentsToTheGpu) {
  if (!tf::cuda_is_available()) GTEST_SKIP() << "no CUDA device";
  const tf::Tensor x = tf::random::uniform({37, 5}, 0.f, 1.f, 11);
  const Dataset ds = Dataset::from_tensor_slices({x, tf::constant(std::vector<std::string>(37, "s"), {37})})
                         .batch(8)
                         .prefetch_to_device(tf::Device::cuda(), 2);
  std::vector<float> back;
  for (auto [bx, s] : ds) {
    EXPECT_TRUE(bx.device().is_cuda());
    EXPECT_TRUE(s.device().is_cpu());  // strings stay on the host
    for (float v : bx.numpy<float>()) back.push_back(v);
  }
  EXPECT_EQ(back, x.numpy<float>());
}
