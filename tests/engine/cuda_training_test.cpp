// The training-side CUDA kernels against the CPU: the fused multi-variable optimizer updates (SGD
// plain, with momentum and Nesterov; Adam; RMSprop plain, centered and with momentum; clipping by
// norm) over variables of awkward sizes and more variables than one launch takes, and dropout, whose
// mask must be bit-identical to the CPU's for the same seed, and the Philox draws that initializers use
// (the same words; floats within rounding). Skipped without a GPU.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "cuda_poison.h"
#include "engine/tensor_internal.h"
#include "kernels/optimizer.h"
#include "kernels/random.h"
#include "ops/op_case.h"

namespace tapeflow::testing {
namespace {

class CudaTraining : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  }
};

using MakeOptimizer = std::function<std::unique_ptr<optimizers::Optimizer>()>;

// Variables of awkward sizes (plus `extra` small ones), three steps of fresh gradients on each device:
// the variables and every slot agree.
void expect_same_training(const std::string& what, const MakeOptimizer& make, int extra = 0) {
  std::vector<Shape> shapes = {{1}, {3}, {33}, {257}, {1000}, {1027}, {5, 7}};
  for (int i = 0; i < extra; ++i) shapes.push_back({i % 5 + 1});
  std::vector<Variable> cpu_vars, gpu_vars;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Tensor init = random::normal(shapes[i], 0.f, 1.f, 10 + i);
    cpu_vars.emplace_back(init, "v" + std::to_string(i));
    gpu_vars.emplace_back(init.to(Device::cuda()), "v" + std::to_string(i));
  }
  auto cpu_opt = make(), gpu_opt = make();
  for (int step = 0; step < 3; ++step) {
    std::vector<Tensor> cpu_grads, gpu_grads;
    for (size_t i = 0; i < shapes.size(); ++i) {
      cpu_grads.push_back(random::normal(shapes[i], 0.f, 1.f, 1000 * step + i));
      gpu_grads.push_back(cpu_grads.back().to(Device::cuda()));
    }
    cpu_opt->apply_gradients(cpu_grads, cpu_vars);
    gpu_opt->apply_gradients(gpu_grads, gpu_vars);
  }
  for (size_t i = 0; i < shapes.size(); ++i) {
    EXPECT_TRUE(gpu_vars[i].device().is_cuda());
    EXPECT_LE(relative_error(gpu_vars[i].to(Device::cpu()), cpu_vars[i]), 1e-6) << what << ": variable " << i;
  }
  ASSERT_EQ(gpu_opt->slots().size(), cpu_opt->slots().size()) << what;
  for (size_t s = 0; s < cpu_opt->slots().size(); ++s) {
    const auto& [name, cpu_slot] = cpu_opt->slots()[s];
    EXPECT_EQ(gpu_opt->slots()[s].first, name) << what;
    EXPECT_LE(relative_error(gpu_opt->slots()[s].second.to(Device::cpu()), cpu_slot), 1e-6) << what << ": " << name;
  }
}

TEST_F(CudaTraining, SgdVariantsMatchTheCpu) {
  expect_same_training("sgd", [] { return std::make_unique<optimizers::SGD>(optimizers::SGDOptions{.learning_rate = 0.1}); });
  expect_same_training("momentum", [] {
    return std::make_unique<optimizers::SGD>(optimizers::SGDOptions{.learning_rate = 0.1, .momentum = 0.9});
  });
  expect_same_training("nesterov", [] {
    return std::make_unique<optimizers::SGD>(
        optimizers::SGDOptions{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  });
}

TEST_F(CudaTraining, AdamMatchesTheCpuAcrossSeveralLaunches) {
  // 2 * kMaxParamsPerLaunch more variables: one apply_gradients takes three launches.
  expect_same_training("adam", [] { return std::make_unique<optimizers::Adam>(optimizers::AdamOptions{.learning_rate = 0.01}); },
                       2 * kernels::cuda::kMaxParamsPerLaunch);
}

TEST_F(CudaTraining, RmspropVariantsMatchTheCpu) {
  for (bool centered : {false, true})
    for (double momentum : {0.0, 0.5}) {
      expect_same_training("rmsprop centered=" + std::to_string(centered) + " momentum=" + std::to_string(momentum),
                           [=] {
                             return std::make_unique<optimizers::RMSprop>(optimizers::RMSpropOptions{
                                 .learning_rate = 0.01, .momentum = momentum, .centered = centered});
                           });
    }
}

TEST_F(CudaTraining, ClippingByNormMatchesTheCpu) {
  expect_same_training("clipnorm", [] {
    return std::make_unique<optimizers::SGD>(
        optimizers::SGDOptions{.learning_rate = 0.1, .common = {.clipnorm = 0.5}});
  });
  expect_same_training("global_clipnorm", [] {
    return std::make_unique<optimizers::Adam>(
        optimizers::AdamOptions{.learning_rate = 0.01, .common = {.global_clipnorm = 1.0}});
  });
}

TEST_F(CudaTraining, DropoutMaskIsBitIdenticalToTheCpu) {
  for (int64_t n : {1, 3, 33, 257, 1000, 1027}) {
    const Tensor x = random::uniform({n}, 0.5f, 2.f, 40 + n);  // never 0: a kept element is never 0
    for (float rate : {0.1f, 0.5f, 0.9f}) {
      const Tensor want = nn::dropout(x, rate, true, 1234 + n);
      poison_cuda_blocks({x.shape(), x.shape()});
      const Tensor got = nn::dropout(x.to(Device::cuda()), rate, true, 1234 + n).to(Device::cpu());
      EXPECT_EQ(got.numpy<float>(), want.numpy<float>()) << "n=" << n << " rate=" << rate;
      // A view one element off alignment takes the unpacked path, with the same mask.
      const Tensor shifted = concat({fill({1}, 0.f, Device::cuda()), x.to(Device::cuda())}, 0);
      const Tensor off = nn::dropout(detail::rows(shifted, 1, n), rate, true, 1234 + n).to(Device::cpu());
      EXPECT_EQ(off.numpy<float>(), want.numpy<float>()) << "misaligned n=" << n << " rate=" << rate;
      // The backward applies the same mask to the gradient.
      const Tensor xg = x.to(Device::cuda());
      GradientTape tape;
      tape.watch(xg);
      const Tensor y = nn::dropout(xg, rate, true, 1234 + n);
      const Tensor grad = tape.gradient(reduce_sum(y), {xg})[0].to(Device::cpu());
      const std::vector<float> g = grad.numpy<float>(), w = want.numpy<float>();
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(g[i] == 0.f, w[i] == 0.f) << "n=" << n << " element " << i;
    }
  }
}

#ifdef TAPEFLOW_WITH_CUDA  // calls the CUDA kernels directly: random:: draws on the CPU and copies today
TEST_F(CudaTraining, PhiloxDrawsMatchTheCpu) {
  for (int64_t n : {1, 3, 33, 257, 1000, 1027}) {
    const std::string at = "n=" + std::to_string(n);
    Tensor want = Tensor::empty({n}, DType::kFloat32), got = Tensor::empty({n}, DType::kFloat32, Device::cuda());
    kernels::cpu::philox_uniform(want.data<float>(), n, 7, 11 + n, -1.f, 3.f);
    kernels::cuda::philox_uniform(0, got.data<float>(), n, 7, 11 + n, -1.f, 3.f);
    // minval + range * u may be one fused multiply-add on one side and two roundings on the other.
    EXPECT_LE(relative_error(got.to(Device::cpu()), want), 1e-7) << "uniform " << at;
    // Normals go through sqrtf/logf/sincosf, which may differ by an ulp between host and device.
    kernels::cpu::philox_normal(want.data<float>(), n, 7, 11 + n, 1.f, 2.f);
    kernels::cuda::philox_normal(0, got.data<float>(), n, 7, 11 + n, 1.f, 2.f);
    EXPECT_LE(relative_error(got.to(Device::cpu()), want), 1e-6) << "normal " << at;
    kernels::cpu::philox_truncated_normal(want.data<float>(), n, 7, 11 + n, 1.f, 2.f);
    kernels::cuda::philox_truncated_normal(0, got.data<float>(), n, 7, 11 + n, 1.f, 2.f);
    EXPECT_LE(relative_error(got.to(Device::cpu()), want), 1e-6) << "truncated normal " << at;
    Tensor want_ids = Tensor::empty({n}, DType::kInt64), got_ids = Tensor::empty({n}, DType::kInt64, Device::cuda());
    kernels::cpu::philox_uniform_int(want_ids.data<int64_t>(), n, 7, 11 + n, -5, 1000);
    kernels::cuda::philox_uniform_int(0, got_ids.data<int64_t>(), n, 7, 11 + n, -5, 1000);
    EXPECT_EQ(got_ids.numpy<int64_t>(), want_ids.numpy<int64_t>()) << "uniform_int " << at;
  }
}
#endif

}  // namespace
}  // namespace tapeflow::testing
