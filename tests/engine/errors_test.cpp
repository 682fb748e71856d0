// Errors users see name the op, what was expected and what was found.
#include <gtest/gtest.h>

#include "error_of.h"

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {
using tapeflow::testing::error_of;
}  // namespace

TEST(Errors, MatmulNamesBothShapes) {
  EXPECT_EQ(error_of([] { tf::matmul(tf::zeros({50, 784}), tf::zeros({100, 10})); }),
            "matmul: inner dimensions differ: a is [50, 784], b is [100, 10]");
  EXPECT_EQ(error_of([] { tf::matmul(tf::zeros({2, 3, 4}), tf::zeros({5, 4, 6})); }),
            "matmul: batch dimensions differ: a is [2, 3, 4], b is [5, 4, 6] (expected equal leading dims, or a "
            "rank-2 operand)");
  EXPECT_EQ(error_of([] { tf::matmul(tf::zeros({3}), tf::zeros({3, 1})); }),
            "matmul: expected operands of rank >= 2, found a [3] and b [3, 1]");
}

TEST(Errors, AddNamesBothShapes) {
  EXPECT_EQ(error_of([] { tf::add(tf::zeros({2, 3}), tf::zeros({4})); }),
            "add: shapes [2, 3] and [4] cannot be broadcast together");
}

TEST(Errors, WrongDtype) {
  EXPECT_EQ(error_of([] { tf::add(tf::zeros({2}), tf::zeros({2}, tf::int32)); }),
            "add: operands have different dtypes: a is float32, b is int32");
  EXPECT_EQ(error_of([] { tf::exp(tf::zeros({2}, tf::int64)); }), "exp: expected x to be float32, found int64");
  EXPECT_EQ(error_of([] { tf::matmul(tf::zeros({2, 2}, tf::int32), tf::zeros({2, 2})); }),
            "matmul: expected a to be float32, found int32");
}

TEST(Errors, OpOnTwoDevices) {
  // A tensor labelled CUDA:0 over host memory: the device check must fire before anything reads it.
  float host[2] = {0, 0};
  const tf::Tensor on_gpu = tf::Tensor::from_blob(host, {2}, tf::float32, tf::Device::cuda(0));
  EXPECT_EQ(error_of([&] { tf::add(tf::zeros({2}), on_gpu); }),
            "add: tensors on different devices: CPU:0 and CUDA:0");
  EXPECT_EQ(error_of([&] { tf::matmul(tf::zeros({2, 1}), on_gpu.reshape({1, 2})); }),
            "matmul: tensors on different devices: CPU:0 and CUDA:0");
}

TEST(Errors, UndefinedTensor) {
  EXPECT_EQ(error_of([] { tf::add(tf::Tensor(), tf::zeros({1})); }), "add: a is an undefined tensor");
}
