// Errors of the array and reduction ops name the op, what was expected and what was found.
#include <gtest/gtest.h>

#include "error_of.h"

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {
using tapeflow::testing::error_of;
}  // namespace

TEST(ArrayErrors, Reshape) {
  EXPECT_EQ(error_of([] { tf::reshape(tf::zeros({2, 3}), {4, -1}); }),
            "reshape: cannot reshape [2, 3] (6 elements) into [4, -1]");
  EXPECT_EQ(error_of([] { tf::reshape(tf::zeros({2, 3}), {5}); }), "reshape: cannot reshape [2, 3] (6 elements) into [5]");
  EXPECT_EQ(error_of([] { tf::reshape(tf::zeros({2, 3}), {-1, -1}); }),
            "reshape: at most one dimension may be -1, found shape [-1, -1]");
  // As TF: -1 cannot be inferred next to a 0 dim.
  EXPECT_EQ(error_of([] { tf::reshape(tf::zeros({0, 4}), {-1, 0}); }),
            "reshape: cannot reshape [0, 4] (0 elements) into [-1, 0]");
}

TEST(ArrayErrors, SqueezeAndExpandDims) {
  EXPECT_EQ(error_of([] { tf::squeeze(tf::zeros({2, 3}), {1}); }), "squeeze: dimension 1 of [2, 3] is 3, not 1");
  EXPECT_EQ(error_of([] { tf::expand_dims(tf::zeros({2, 3}), 4); }),
            "expand_dims: axis 4 is out of range for rank 3 (expected -3..2)");
  EXPECT_EQ(error_of([] { tf::flatten(tf::zeros({})); }), "flatten: expected a batch dimension, found a scalar");
}

TEST(ArrayErrors, Transpose) {
  EXPECT_EQ(error_of([] { tf::transpose(tf::zeros({2, 3}), {0, 0}); }),
            "transpose: perm [0, 0] is not a permutation of 0..1");
  EXPECT_EQ(error_of([] { tf::transpose(tf::zeros({2, 3}), {1, 0, 2}); }),
            "transpose: perm has 3 entries, the input [2, 3] has rank 2");
}

TEST(ArrayErrors, ConcatAndStack) {
  EXPECT_EQ(error_of([] { tf::concat({tf::zeros({2, 3}), tf::zeros({3, 4})}, 1); }),
            "concat: input 1 has shape [3, 4], expected [2, *] like input 0 (any size along axis 1)");
  EXPECT_EQ(error_of([] { tf::concat({tf::zeros({2, 3}), tf::zeros({2, 3, 1})}, 0); }),
            "concat: input 1 has shape [2, 3, 1], expected [*, 3] like input 0 (any size along axis 0)");
  EXPECT_EQ(error_of([] { tf::concat({tf::zeros({2}), tf::zeros({2}, tf::int32)}, 0); }),
            "concat: input 1 is int32, expected float32 like input 0");
  EXPECT_EQ(error_of([] { tf::concat({}, 0); }), "concat: expected at least one tensor, found none");
  EXPECT_EQ(error_of([] { tf::stack({tf::zeros({2}), tf::zeros({3})}); }),
            "stack: input 1 has shape [3], expected [2] like input 0");
}

TEST(ArrayErrors, Slice) {
  EXPECT_EQ(error_of([] { tf::slice(tf::zeros({3, 4}), {1, 2}, {5, -1}); }),
            "slice: begin [1, 2] size [5, -1] spans [1, 6) in dim 0, outside [0, 3) of the input [3, 4]");
  EXPECT_EQ(error_of([] { tf::slice(tf::zeros({3, 4}), {0, 0}, {1, -2}); }),
            "slice: size -2 in dim 1 is negative (only -1, meaning the rest, is allowed)");
  EXPECT_EQ(error_of([] { tf::slice(tf::zeros({3, 4}), {0}, {1}); }),
            "slice: begin [0] and size [1] must have one entry per dim of [3, 4]");
}

TEST(ArrayErrors, GatherNamesTheBadIndexAndTheRange) {
  EXPECT_EQ(error_of([] { tf::gather(tf::zeros({7, 3}), tf::constant<int64_t>({0, 6, 7, 1})); }),
            "gather: index 7 at position 2 is out of range [0, 7) for params [7, 3] along axis 0");
  EXPECT_EQ(error_of([] { tf::gather(tf::zeros({2, 5}), tf::constant<int32_t>({-1}), 1); }),
            "gather: index -1 at position 0 is out of range [0, 5) for params [2, 5] along axis 1");
  EXPECT_EQ(error_of([] { tf::gather(tf::zeros({7, 3}), tf::zeros({2})); }),
            "gather: expected int32 or int64 indices, found float32");
}

TEST(ArrayErrors, OneHot) {
  EXPECT_EQ(error_of([] { tf::one_hot(tf::zeros({2}), 3); }), "one_hot: expected integer indices, found float32");
  EXPECT_EQ(error_of([] { tf::one_hot(tf::constant<int64_t>({1}), -1); }), "one_hot: depth must be >= 0, found -1");
}

TEST(ReductionErrors, AxesAndDtypes) {
  EXPECT_EQ(error_of([] { tf::reduce_sum(tf::zeros({2, 3}), {2}); }),
            "reduce_sum: axis 2 is out of range for rank 2 (expected -2..1)");
  EXPECT_EQ(error_of([] { tf::reduce_max(tf::zeros({2, 3}, tf::int32)); }),
            "reduce_max: expected x to be float32, found int32");
  EXPECT_EQ(error_of([] { tf::argmax(tf::zeros({3, 0}), 1); }), "argmax: axis 1 of [3, 0] is empty");
}
