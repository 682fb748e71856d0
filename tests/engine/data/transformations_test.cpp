// Dataset transformations on one thread: map, filter, shuffle, batch, padded_batch, repeat, take,
// skip, cache, interleave; order, seeds, cardinality and edge cases.
#include <gtest/gtest.h>

#include "data_test_util.h"
#include "error_of.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tf::data::Dataset;
using tf::data::Element;
using tf::testing::batch_sizes;
using tf::testing::error_of;
using tf::testing::flat_values;
using tf::testing::int64s;
using tf::testing::iota;
using V = std::vector<int64_t>;

namespace {
Element times_ten(const Element& e) { return tf::constant(e[0].item<int64_t>() * 10); }
}  // namespace

TEST(DatasetMap, AppliesInOrderAndMayChangeTheStructure) {
  EXPECT_EQ(flat_values(Dataset::range(4).map(times_ten)), (V{0, 10, 20, 30}));
  const Dataset pairs = Dataset::range(3).map([](const Element& e) { return Element{e[0], tf::constant(1.f)}; });
  for (const Element& e : pairs) EXPECT_EQ(e.size(), 2u);
  EXPECT_EQ(pairs.cardinality(), 3);
}

TEST(DatasetMap, ErrorNamesTheTransformation) {
  const Dataset ds = Dataset::range(5).map([](const Element& e) -> Element {
    if (e[0].item<int64_t>() == 3) throw tf::Error("bad element");
    return e;
  });
  tf::data::Iterator it = ds.begin();
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(it.next()->tensors()[0].item<int64_t>(), i);
  EXPECT_EQ(error_of([&] { it.next(); }), "Dataset.map: the function threw: bad element");
}

TEST(DatasetFilter, KeepsMatchingElements) {
  const Dataset evens = Dataset::range(10).filter([](const Element& e) { return e[0].item<int64_t>() % 2 == 0; });
  EXPECT_EQ(flat_values(evens), (V{0, 2, 4, 6, 8}));
  EXPECT_EQ(evens.cardinality(), tf::data::kUnknownCardinality);
  EXPECT_EQ(Dataset::range(3).repeat().filter([](const Element&) { return true; }).cardinality(),
            tf::data::kInfiniteCardinality);
  EXPECT_EQ(error_of([] { flat_values(Dataset::range(2).filter([](const Element&) -> bool { throw std::out_of_range("k"); })); }),
            "Dataset.filter: the function threw: k");
}

TEST(DatasetShuffle, SameSeedSameOrderAndEveryElementOnce) {
  const V a = flat_values(Dataset::range(50).shuffle(50, 3));
  EXPECT_EQ(a, flat_values(Dataset::range(50).shuffle(50, 3)));
  EXPECT_NE(a, flat_values(Dataset::range(50).shuffle(50, 4)));
  EXPECT_NE(a, iota(0, 50));
  V sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, iota(0, 50));
}

TEST(DatasetShuffle, ReshufflesEachIterationUnlessToldNot) {
  const Dataset reshuffled = Dataset::range(30).shuffle(30, 1);
  const V first = flat_values(reshuffled);
  EXPECT_NE(flat_values(reshuffled), first);
  // Iteration k's order depends only on the seed and k: a second dataset replays the same sequence.
  const Dataset again = Dataset::range(30).shuffle(30, 1);
  EXPECT_EQ(flat_values(again), first);

  const Dataset fixed = Dataset::range(30).shuffle(30, 1, /*reshuffle_each_iteration=*/false);
  EXPECT_EQ(flat_values(fixed), flat_values(fixed));
}

TEST(DatasetShuffle, BufferBoundsHowFarAnElementMoves) {
  // With a buffer of 3, output i is one of inputs 0 .. i + 2; a buffer of 1 keeps the order.
  const V out = flat_values(Dataset::range(40).shuffle(3, 9));
  for (size_t i = 0; i < out.size(); ++i) EXPECT_LE(out[i], static_cast<int64_t>(i) + 2);
  EXPECT_EQ(flat_values(Dataset::range(10).shuffle(1, 9)), iota(0, 10));
}

TEST(DatasetShuffle, UnseededFollowsTheGlobalSeed) {
  tf::random::set_seed(5);
  const V a = flat_values(Dataset::range(20).shuffle(20));
  tf::random::set_seed(5);
  EXPECT_EQ(flat_values(Dataset::range(20).shuffle(20)), a);
}

TEST(DatasetBatch, StacksComponentsAndKeepsTheRemainderUnlessDropped) {
  const Dataset ds = Dataset::from_tensor_slices({tf::arange(0, 10, 1, tf::int64), tf::fill({10, 2}, 1.f)});
  EXPECT_EQ(batch_sizes(ds.batch(4)), (V{4, 4, 2}));
  EXPECT_EQ(ds.batch(4).cardinality(), 3);
  EXPECT_EQ(batch_sizes(ds.batch(4, /*drop_remainder=*/true)), (V{4, 4}));
  EXPECT_EQ(ds.batch(4, true).cardinality(), 2);
  EXPECT_EQ(flat_values(ds.batch(4)), iota(0, 10));
  for (auto [x, y] : ds.batch(4, true)) EXPECT_EQ(y.shape(), tf::Shape({4, 2}));
}

TEST(DatasetBatch, LargerThanTheDataAndEmpty) {
  EXPECT_EQ(batch_sizes(Dataset::range(3).batch(10)), (V{3}));
  EXPECT_EQ(batch_sizes(Dataset::range(3).batch(10, true)), V{});
  EXPECT_EQ(batch_sizes(Dataset::range(0).batch(2)), V{});
  EXPECT_EQ(error_of([] { Dataset::range(3).batch(0); }), "Dataset.batch: batch_size must be positive, found 0");
}

TEST(DatasetBatch, StringScalarsStackToAStringVector) {
  const Dataset ds = Dataset::from_tensor_slices(tf::constant(std::vector<std::string>{"x", "yy", "zzz"}, {3})).batch(2);
  std::vector<std::vector<std::string>> batches;
  for (const Element& e : ds) batches.push_back(e[0].numpy<std::string>());
  EXPECT_EQ(batches, (std::vector<std::vector<std::string>>{{"x", "yy"}, {"zzz"}}));
}

TEST(DatasetBatch, ElementsOfDifferentShapesAreAClearError) {
  const Dataset ragged = Dataset::range(1, 3).map([](const Element& e) { return tf::fill({e[0].item<int64_t>()}, 1.f); });
  EXPECT_EQ(error_of([&] { flat_values(ragged.batch(2)); }),
            "Dataset.batch: component 0 of element 1 is float32 [2], expected float32 [1] like element 0 (padded_batch "
            "stacks elements of different shapes)");
}

TEST(DatasetPaddedBatch, PadsToTheLargestOrToAGivenShape) {
  // Element n is the vector [n, n, ..., n] of length n, with the label n.
  const Dataset ragged = Dataset::range(1, 4).map([](const Element& e) {
    const int64_t n = e[0].item<int64_t>();
    return Element{tf::constant(V(n, n), {n}), tf::constant(n)};
  });
  std::vector<V> rows;
  for (auto [x, y] : ragged.padded_batch(2)) {
    EXPECT_EQ(y.rank(), 1);
    rows.push_back(x.numpy<int64_t>());
  }
  EXPECT_EQ(rows, (std::vector<V>{{1, 0, 2, 2}, {3, 3, 3}}));

  rows.clear();
  for (const Element& e : ragged.padded_batch(3, {tf::Shape{4}, tf::Shape{}}, {tf::constant(int64_t{-1}), tf::constant(int64_t{0})}))
    rows.push_back(e[0].numpy<int64_t>());
  EXPECT_EQ(rows, (std::vector<V>{{1, -1, -1, -1, 2, 2, -1, -1, 3, 3, 3, -1}}));

  EXPECT_EQ(error_of([&] { flat_values(ragged.padded_batch(3, {tf::Shape{2}, tf::Shape{}})); }),
            "Dataset.padded_batch: component 0 has shape [3] in this batch, larger than padded_shapes[0] [2]");
  EXPECT_EQ(error_of([&] { flat_values(ragged.padded_batch(3, {}, {tf::constant(1.f), tf::constant(1.f)})); }),
            "Dataset.padded_batch: padding_values[0] must be a CPU scalar of int64, found float32 []");
}

TEST(DatasetPaddedBatch, PadsMatricesAndStrings) {
  const Dataset ds = Dataset::from_generator([] {
    return [i = 0]() mutable -> std::optional<Element> {
      if (i++ == 2) return std::nullopt;
      const tf::Tensor m = i == 1 ? tf::constant({{1.f, 2.f}}) : tf::constant({{3.f}, {4.f}});
      return Element{m, tf::constant(std::vector<std::string>(i, "s"), {i})};
    };
  });
  for (auto [m, s] : ds.padded_batch(2, {}, {tf::constant(0.f), tf::constant(std::vector<std::string>{"-"}, {})})) {
    EXPECT_EQ(m.shape(), tf::Shape({2, 2, 2}));
    EXPECT_EQ(m.numpy<float>(), (std::vector<float>{1, 2, 0, 0, 3, 0, 4, 0}));
    EXPECT_EQ(s.numpy<std::string>(), (std::vector<std::string>{"s", "-", "s", "s"}));
  }
}

TEST(DatasetRepeat, CountForeverAndEmpty) {
  EXPECT_EQ(flat_values(Dataset::range(3).repeat(2)), (V{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(Dataset::range(3).repeat(2).cardinality(), 6);
  EXPECT_EQ(Dataset::range(3).repeat().cardinality(), tf::data::kInfiniteCardinality);
  EXPECT_EQ(flat_values(Dataset::range(3).repeat().take(7)), (V{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(flat_values(Dataset::range(0).repeat()), V{});  // ends instead of spinning
  EXPECT_EQ(flat_values(Dataset::range(3).repeat(0)), V{});
}

TEST(DatasetRepeat, RepeatThenBatchCrossesEpochsBatchThenRepeatDoesNot) {
  EXPECT_EQ(batch_sizes(Dataset::range(5).repeat(2).batch(4)), (V{4, 4, 2}));
  EXPECT_EQ(flat_values(Dataset::range(5).repeat(2).batch(4)), (V{0, 1, 2, 3, 4, 0, 1, 2, 3, 4}));
  EXPECT_EQ(batch_sizes(Dataset::range(5).batch(4).repeat(2)), (V{4, 1, 4, 1}));
  EXPECT_EQ(Dataset::range(5).batch(4).repeat(2).cardinality(), 4);
}

TEST(DatasetRepeat, ReshufflesOnEveryRepetition) {
  const V out = flat_values(Dataset::range(20).shuffle(20, 2).repeat(2));
  EXPECT_NE(V(out.begin(), out.begin() + 20), V(out.begin() + 20, out.end()));
}

TEST(DatasetTakeSkip, WithinAndBeyondTheEnd) {
  EXPECT_EQ(flat_values(Dataset::range(5).take(2)), (V{0, 1}));
  EXPECT_EQ(flat_values(Dataset::range(5).take(9)), iota(0, 5));
  EXPECT_EQ(flat_values(Dataset::range(5).take(-1)), iota(0, 5));
  EXPECT_EQ(flat_values(Dataset::range(5).skip(3)), (V{3, 4}));
  EXPECT_EQ(flat_values(Dataset::range(5).skip(9)), V{});
  EXPECT_EQ(flat_values(Dataset::range(5).skip(-1)), V{});
  EXPECT_EQ(Dataset::range(5).take(9).cardinality(), 5);
  EXPECT_EQ(Dataset::range(5).skip(3).cardinality(), 2);
  EXPECT_EQ(Dataset::range(5).skip(9).cardinality(), 0);
  EXPECT_EQ(Dataset::range(5).repeat().take(3).cardinality(), 3);
  EXPECT_EQ(error_of([] { Dataset::range(5).take(-2); }), "Dataset.take: count must be -1 (all) or at least 0, found -2");
}

TEST(DatasetCache, ReplaysTheFirstCompletePass) {
  int calls = 0;
  const Dataset ds = Dataset::range(4).map([&](const Element& e) { ++calls; return e; }).cache();
  EXPECT_EQ(flat_values(ds.take(2)), (V{0, 1}));  // an abandoned pass caches nothing
  EXPECT_EQ(flat_values(ds), iota(0, 4));
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(flat_values(ds), iota(0, 4));
  EXPECT_EQ(flat_values(ds.repeat(2)), (V{0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(calls, 6);
}

TEST(DatasetInterleave, CyclesInBlocksAsTfData) {
  // tf.data's documented example: range(1, 6).interleave(lambda x: from_tensors(x).repeat(6), 2, 4).
  auto six_times = [](const Element& e) { return Dataset::from_tensor_slices(tf::testing::int64s(V(6, e[0].item<int64_t>()))); };
  const V documented{1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5};
  EXPECT_EQ(flat_values(Dataset::range(1, 6).interleave(six_times, 2, 4)), documented);
  EXPECT_EQ(flat_values(Dataset::range(1, 6).interleave(six_times, 2, 4, tf::data::AUTOTUNE)), documented);
  // Input n gives n n times: a slot whose dataset ends passes the cursor on and opens the next input there.
  auto n_times = [](const Element& e) { return Dataset::from_tensor_slices(tf::testing::int64s(V(e[0].item<int64_t>(), e[0].item<int64_t>()))); };
  EXPECT_EQ(flat_values(Dataset::range(1, 6).interleave(n_times, 2, 2)), (V{1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 4, 4, 5, 5, 5}));
  EXPECT_EQ(flat_values(Dataset::range(1, 4).interleave(n_times, 1)), (V{1, 2, 2, 3, 3, 3}));
  EXPECT_EQ(flat_values(Dataset::range(0).interleave(n_times, 2)), V{});
}

TEST(DatasetInterleave, FunctionErrorNamesInterleave) {
  EXPECT_EQ(error_of([] {
              flat_values(Dataset::range(3).interleave([](const Element&) -> Dataset { throw tf::Error("no file"); }, 2));
            }),
            "Dataset.interleave: the function threw: no file");
}
