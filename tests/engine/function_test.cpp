// tapeflow::Function (tf.function): on the CPU every call runs the body; while a step is being captured
// (capture::Scope, as Function opens it on CUDA) what a CUDA graph cannot hold throws a clear
// "not implemented", and the optimizer's bookkeeping is queued for each replay. The captures themselves
// run in tests/models/cuda_function_test.cpp on a GPU.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/capture.h"
#include "error_of.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
using tapeflow::testing::error_of;

namespace {

bool mentions(const std::string& error, const std::string& part) { return error.find(part) != std::string::npos; }

TEST(Function, OnTheCpuEveryCallRunsTheBody) {
  int calls = 0;
  tf::Function twice([&](const std::vector<tf::Tensor>& in) {
    ++calls;
    return std::vector<tf::Tensor>{in[0] * 2.f};
  });
  for (int i = 1; i <= 3; ++i) {
    const std::vector<tf::Tensor> out = twice({tf::constant<float>({1.f, float(i)})});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].numpy<float>(), (std::vector<float>{2.f, 2.f * float(i)}));
    EXPECT_EQ(calls, i);
  }
  EXPECT_EQ(twice.graph_count(), 0u);
}

TEST(Function, ACaptureForbidsWhatAGraphCannotHold) {
  const tf::capture::Scope capturing;
  EXPECT_TRUE(mentions(error_of([] { (void)tf::Variable(tf::zeros({2})); }), "not implemented: creating a variable"));
  EXPECT_TRUE(mentions(error_of([] { (void)tf::random::uniform({2}); }), "not implemented: a random op without a seed"));
  EXPECT_NO_THROW(tf::random::uniform({2}, 0.f, 1.f, 7)) << "a seeded draw gives the same numbers at each call anyway";
}

TEST(Function, ACaptureForbidsSchedulesAndClipping) {
  tf::Variable w(tf::ones({2}));
  tf::optimizers::SGD scheduled({.common = {.learning_rate_schedule = [](int64_t) { return 0.1; }}});
  tf::optimizers::SGD clipping({.common = {.clipnorm = 1.0}});
  const tf::capture::Scope capturing;
  EXPECT_TRUE(mentions(error_of([&] { scheduled.apply_gradients({tf::ones({2})}, {w}); }),
                       "not implemented: a learning-rate schedule"));
  EXPECT_TRUE(mentions(error_of([&] { clipping.apply_gradients({tf::ones({2})}, {w}); }), "clipnorm"));
}

TEST(Function, EachReplayRedoesTheOptimizersIterationCount) {
  tf::Variable w(tf::ones({2}));
  tf::optimizers::SGD sgd({.learning_rate = 0.5});
  std::vector<std::function<void()>> hooks;
  {
    tf::capture::Scope capturing;
    sgd.apply_gradients({tf::ones({2})}, {w});
    hooks = capturing.take_replay_hooks();
  }
  EXPECT_EQ(sgd.iterations(), 1);
  ASSERT_EQ(hooks.size(), 1u);
  hooks[0]();
  hooks[0]();
  EXPECT_EQ(sgd.iterations(), 3) << "two replays after the captured step";
  EXPECT_FALSE(tf::capture::active());
  sgd.apply_gradients({tf::ones({2})}, {w});  // outside a capture nothing is queued
  EXPECT_EQ(sgd.iterations(), 4);
}

TEST(Function, ANewLearningRateEndsTheReplaysOfAGraphThatHoldsTheOldOne) {
  tf::Variable w(tf::ones({2}));
  tf::optimizers::Adam adam({.learning_rate = 0.01});
  adam.apply_gradients({tf::ones({2})}, {w});  // the eager first call: creates Adam's slots
  tf::Variable fresh(tf::ones({2}));
  EXPECT_TRUE(mentions(error_of([&] {
                         const tf::capture::Scope capturing;
                         adam.apply_gradients({tf::ones({2})}, {fresh});
                       }),
                       "not implemented: creating a variable"))
      << "a slot made inside a capture would be zeroed again at each replay";
  adam.apply_gradients({tf::ones({2})}, {fresh});  // the eager rerun after the failed capture makes the slots
  EXPECT_EQ(adam.slots().size(), 4u) << "m and v of each variable, none half-made";
  std::vector<std::function<bool()>> conditions;
  {
    tf::capture::Scope capturing;
    adam.apply_gradients({tf::ones({2})}, {w});
    conditions = capturing.take_replay_conditions();
  }
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_TRUE(conditions[0]());
  adam.set_learning_rate(0.001);
  EXPECT_FALSE(conditions[0]()) << "the next call must capture the step again";
}

TEST(Function, AFailedCaptureTakesBackTheOptimizersCount) {
  tf::Variable w(tf::ones({2}));
  tf::optimizers::SGD sgd({.learning_rate = 0.5});
  {
    tf::capture::Scope capturing;
    sgd.apply_gradients({tf::ones({2})}, {w});
    EXPECT_EQ(sgd.iterations(), 1);
    EXPECT_TRUE(mentions(error_of([&] { sgd.set_iterations(5); }), "not implemented: Optimizer::set_iterations"));
    capturing.abort();  // as Function does when the body or the capture fails
  }
  EXPECT_EQ(sgd.iterations(), 0) << "the failed capture's update never ran on the device";
}

TEST(Function, OtherThreadsWaitForACaptureToEndBeforeTheirCopies) {
  std::atomic<bool> captured{false}, ended{false};
  std::thread capturing_thread([&] {
    const tf::capture::Scope capturing;
    { const tf::capture::QueueingOutsideCaptures queueing; }  // the capturing thread itself never waits
    captured = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ended = true;
  });
  while (!captured) std::this_thread::yield();
  { const tf::capture::QueueingOutsideCaptures queueing; }
  EXPECT_TRUE(ended) << "queued device work while the other thread was still capturing";
  capturing_thread.join();
}

}  // namespace
