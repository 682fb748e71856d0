// matmul (cuBLAS and the tiled SGEMM), conv2d (cuDNN) and pooling on CUDA against the CPU: awkward sizes
// (1, 3, 33, 129, 257, 1000, 1027), every transpose combination, broadcast batches, misaligned operands,
// TF's asymmetric SAME padding, the notes' CNN shapes; forward and gradients. Outputs are poisoned first
// (cuda_poison.h). Tolerances: float32 paths 1e-5 (GEMM) and 1e-4 (cuDNN, whose Winograd/FFT algorithms
// round differently); TF32 5e-3; max pooling exact. Skipped without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "cuda_poison.h"
#include "engine/memory/device_memory.h"
#include "engine/tensor_internal.h"
#include "kernels/matmul.h"
#include "ops/op_case.h"

// The GEMM cases call the CUDA kernels directly, which exist only in CUDA builds.
#ifdef TAPEFLOW_WITH_CUDA

namespace tapeflow::testing {
namespace {

class CudaLibraryOps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  }
};

// A copy of t on the GPU starting 4 bytes past an allocation's alignment (no float4 loads possible).
Tensor misaligned_on_gpu(const Tensor& t) {
  const int64_t n = t.num_elements();
  Tensor base = Tensor::empty({n + 1}, t.dtype(), Device::cuda());
  Tensor view = detail::rows(base, 1, n);
  memory::copy(view.device(), view.raw_data(), t.device(), t.raw_data(), t.nbytes());
  return view;
}

struct GemmCase {
  bool ta, tb;
  int64_t batch, m, n, k;
  bool broadcast_a;  // A shared by every problem (batch stride 0)
  bool misaligned;
};

std::string describe(const GemmCase& c, kernels::cuda::Gemm gemm) {
  return std::string(gemm == kernels::cuda::Gemm::kTiled ? "tiled" : "cuBLAS") + (c.ta ? " A^T" : " A") +
         (c.tb ? " B^T" : " B") + " batch " + std::to_string(c.batch) + " m " + std::to_string(c.m) + " n " +
         std::to_string(c.n) + " k " + std::to_string(c.k) + (c.broadcast_a ? " broadcast A" : "") +
         (c.misaligned ? " misaligned" : "");
}

// The GEMM kernel on CUDA (output poisoned) vs the CPU's; returns the relative error.
double gemm_error(const GemmCase& c, const kernels::cuda::MatmulOptions& options, uint64_t seed) {
  const int64_t a_problems = c.broadcast_a ? 1 : c.batch;
  const Tensor a = random::normal({a_problems * c.m * c.k}, 0.f, 1.f, seed);
  const Tensor b = random::normal({c.batch * c.k * c.n}, 0.f, 1.f, seed + 1);
  const int64_t a_stride = c.broadcast_a ? 0 : c.m * c.k, b_stride = c.k * c.n;
  Tensor want = Tensor::empty({c.batch * c.m * c.n});
  kernels::cpu::matmul(c.ta, c.tb, c.batch, c.m, c.n, c.k, a.data<float>(), a_stride, b.data<float>(), b_stride,
                       want.data<float>());
  const Tensor a_gpu = c.misaligned ? misaligned_on_gpu(a) : a.to(Device::cuda());
  const Tensor b_gpu = c.misaligned ? misaligned_on_gpu(b) : b.to(Device::cuda());
  Tensor got = fill({c.batch * c.m * c.n}, std::nanf(""), Device::cuda());
  kernels::cuda::matmul(0, c.ta, c.tb, c.batch, c.m, c.n, c.k, a_gpu.data<float>(), a_stride, b_gpu.data<float>(),
                        b_stride, got.data<float>(), options);
  return relative_error(got.to(Device::cpu()), want);
}

std::vector<GemmCase> gemm_cases() {
  std::vector<GemmCase> cases;
  const int64_t shapes[][3] = {{1, 1, 1},     {3, 33, 257},  {129, 130, 7},  {257, 1000, 33},
                               {128, 128, 8}, {1, 257, 1027}, {1000, 3, 129}, {200, 300, 400}};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const auto& s : shapes) cases.push_back({ta, tb, 1, s[0], s[1], s[2], false, false});
  for (bool ta : {false, true}) {
    cases.push_back({ta, false, 3, 33, 65, 17, false, false});
    cases.push_back({ta, true, 3, 33, 65, 17, true, false});
    cases.push_back({ta, false, 2, 129, 131, 33, false, true});
  }
  cases.push_back({false, false, 2, 5, 7, 0, false, false});  // k == 0: C is all zeros
  return cases;
}

TEST_F(CudaLibraryOps, MatmulMatchesTheCpuThroughCublasAndTheTiledKernel) {
  uint64_t seed = 1000;
  for (const auto gemm : {kernels::cuda::Gemm::kCublas, kernels::cuda::Gemm::kTiled})
    for (const GemmCase& c : gemm_cases()) {
      const double error = gemm_error(c, {gemm, false}, seed += 2);
      if (c.k == 0) {
        EXPECT_EQ(error, 0.0) << describe(c, gemm);  // want is all zeros: relative_error is 0 only if got is too
      } else {
        EXPECT_LE(error, 1e-5) << describe(c, gemm);
      }
    }
}

TEST_F(CudaLibraryOps, MatmulWithTf32StaysWithinItsTolerance) {
  for (const GemmCase& c : {GemmCase{false, false, 1, 257, 1000, 513, false, false},
                            GemmCase{true, true, 2, 64, 96, 1024, false, false}}) {
    EXPECT_LE(gemm_error(c, {kernels::cuda::Gemm::kCublas, true}, 77), 5e-3) << describe(c, kernels::cuda::Gemm::kCublas);
  }
}

TEST_F(CudaLibraryOps, MatmulOpUsesTheRuntimeChoice) {
  const Tensor a = random::normal({3, 37, 45}, 0.f, 1.f, 5), b = random::normal({45, 29}, 0.f, 1.f, 6);
  const Tensor want = matmul(a, b);
  const CudaMatmul initial = cuda_matmul();
  for (const CudaMatmul choice : {CudaMatmul::kCublas, CudaMatmul::kTiled}) {
    set_cuda_matmul(choice);
    poison_cuda_blocks({want.shape()});
    EXPECT_LE(relative_error(matmul(a.to(Device::cuda()), b.to(Device::cuda())).to(Device::cpu()), want), 1e-5);
  }
  set_cuda_matmul(initial);
}

// forward output and the gradients of sum(f(x, ...) * weights) for every input, CPU vs CUDA.
void expect_forward_and_gradients_match(const std::string& what,
                                        const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                        const std::vector<Tensor>& inputs, double tolerance) {
  auto run = [&](Device device) {
    std::vector<Tensor> on_device;
    for (const Tensor& t : inputs) on_device.push_back(t.to(device));
    GradientTape tape;
    for (const Tensor& t : on_device) tape.watch(t);
    const Tensor out = f(on_device);
    const Tensor weights = random::normal(out.shape(), 0.f, 1.f, 4242).to(device);
    std::vector<Tensor> results{out};
    for (const Tensor& g : tape.gradient(reduce_sum(out * weights), on_device)) results.push_back(g);
    return results;
  };
  const std::vector<Tensor> want = run(Device::cpu());
  std::vector<Shape> shapes;
  for (const Tensor& t : want) shapes.push_back(t.shape());
  poison_cuda_blocks(shapes);
  const std::vector<Tensor> got = run(Device::cuda());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].shape(), want[i].shape()) << what << " result " << i;
    EXPECT_LE(relative_error(got[i].to(Device::cpu()), want[i]), tolerance)
        << what << (i == 0 ? " forward" : " gradient of input " + std::to_string(i - 1));
  }
}

struct ConvCase {
  Shape input, filters;
  std::array<int, 2> strides, dilations;
  nn::Padding padding;
  std::string name;
};

TEST_F(CudaLibraryOps, Conv2dMatchesTheCpuIncludingAsymmetricSamePadding) {
  const ConvCase cases[] = {
      {{50, 28, 28, 1}, {5, 5, 1, 32}, {1, 1}, {1, 1}, nn::Padding::kSame, "notes' CNN conv 1"},
      {{50, 14, 14, 32}, {5, 5, 32, 64}, {1, 1}, {1, 1}, nn::Padding::kSame, "notes' CNN conv 2"},
      {{2, 8, 8, 3}, {3, 3, 3, 5}, {2, 2}, {1, 1}, nn::Padding::kSame, "3x3 stride 2 SAME on even input (pad 0/1)"},
      {{1, 9, 7, 2}, {2, 2, 2, 3}, {1, 1}, {1, 1}, nn::Padding::kSame, "even kernel SAME (pad 0/1)"},
      {{2, 9, 7, 2}, {4, 3, 2, 3}, {2, 2}, {1, 1}, nn::Padding::kSame, "4x3 stride 2 SAME"},
      {{1, 9, 9, 3}, {3, 3, 3, 2}, {1, 1}, {2, 2}, nn::Padding::kSame, "dilation 2"},
      {{3, 9, 7, 5}, {3, 2, 5, 4}, {2, 1}, {1, 1}, nn::Padding::kValid, "VALID stride 2x1"},
      {{1, 3, 2, 2}, {5, 5, 2, 2}, {1, 1}, {1, 1}, nn::Padding::kSame, "kernel larger than the image"},
      {{2, 5, 7, 3}, {1, 1, 3, 33}, {1, 1}, {1, 1}, nn::Padding::kSame, "pointwise"},
  };
  uint64_t seed = 300;
  const bool initial = cudnn_benchmark();  // TAPEFLOW_CUDNN_BENCHMARK=0 runs every test with it off
  for (const bool benchmark : {false, true}) {
    set_cudnn_benchmark(benchmark);
    for (const ConvCase& c : cases) {
      const std::vector<Tensor> inputs{random::normal(c.input, 0.f, 1.f, seed++),
                                       random::normal(c.filters, 0.f, 0.2f, seed++)};
      expect_forward_and_gradients_match(
          c.name + (benchmark ? " (algorithms timed)" : " (heuristics)"),
          [&](const std::vector<Tensor>& x) { return nn::conv2d(x[0], x[1], c.strides, c.padding, c.dilations); },
          inputs, 1e-4);
    }
  }
  set_cudnn_benchmark(initial);
}

TEST_F(CudaLibraryOps, Conv2dWithTf32StaysWithinItsTolerance) {
  enable_tensor_float32_execution(true);
  const std::vector<Tensor> inputs{random::normal({8, 14, 14, 32}, 0.f, 1.f, 91),
                                   random::normal({5, 5, 32, 64}, 0.f, 0.2f, 92)};
  expect_forward_and_gradients_match(
      "TF32 conv", [](const std::vector<Tensor>& x) { return nn::conv2d(x[0], x[1], {1, 1}, nn::Padding::kSame); },
      inputs, 5e-3);
  enable_tensor_float32_execution(false);
}

TEST_F(CudaLibraryOps, PoolingMatchesTheCpu) {
  struct PoolCase {
    Shape input;
    std::array<int, 2> ksize, strides;
    nn::Padding padding;
  };
  const PoolCase cases[] = {
      {{50, 28, 28, 32}, {2, 2}, {2, 2}, nn::Padding::kSame},  // the notes' CNN
      {{2, 7, 9, 3}, {3, 3}, {2, 2}, nn::Padding::kSame},      // overlapping windows, asymmetric padding
      {{1, 5, 5, 33}, {3, 3}, {1, 1}, nn::Padding::kSame},
      {{3, 9, 7, 5}, {2, 3}, {3, 2}, nn::Padding::kValid},     // stride > window: uncovered inputs
      {{1, 3, 2, 1}, {4, 4}, {3, 3}, nn::Padding::kSame},
      // Channels in fours (a thread per four): overlapping windows with padding, uncovered inputs.
      {{2, 7, 9, 8}, {3, 3}, {2, 2}, nn::Padding::kSame},
      {{3, 9, 7, 4}, {2, 3}, {3, 2}, nn::Padding::kValid},
      {{1, 5, 6, 12}, {3, 4}, {1, 1}, nn::Padding::kSame},
      // 2x2 windows (unrolled) cut by the padding, tiling the image or overlapping.
      {{1, 7, 5, 4}, {2, 2}, {2, 2}, nn::Padding::kSame},
      {{2, 7, 5, 8}, {2, 2}, {1, 1}, nn::Padding::kSame},
      {{2, 5, 7, 3}, {2, 2}, {1, 1}, nn::Padding::kSame},
      {{1, 7, 5, 4}, {2, 2}, {2, 2}, nn::Padding::kValid},  // the last row and column in no window
      {{2, 9, 6, 4}, {3, 3}, {3, 3}, nn::Padding::kSame},   // 3x3 windows that tile the image
  };
  uint64_t seed = 700;
  for (const PoolCase& c : cases) {
    const std::vector<Tensor> inputs{random::normal(c.input, 0.f, 1.f, seed++)};
    const std::string shape = c.input.to_string();
    // Max pooling keeps the CPU's order of comparisons and sums: exact.
    expect_forward_and_gradients_match(
        "max_pool2d " + shape,
        [&](const std::vector<Tensor>& x) { return nn::max_pool2d(x[0], c.ksize, c.strides, c.padding); }, inputs, 0.0);
    // Without a tape no argmax is kept: the forward kernels that skip it.
    const Tensor on_cpu = nn::max_pool2d(inputs[0], c.ksize, c.strides, c.padding);
    poison_cuda_blocks({on_cpu.shape()});
    const Tensor on_cuda = nn::max_pool2d(inputs[0].to(Device::cuda()), c.ksize, c.strides, c.padding);
    EXPECT_EQ(relative_error(on_cuda.to(Device::cpu()), on_cpu), 0.0) << "max_pool2d " << shape << " without a tape";
    expect_forward_and_gradients_match(
        "avg_pool2d " + shape,
        [&](const std::vector<Tensor>& x) { return nn::avg_pool2d(x[0], c.ksize, c.strides, c.padding); }, inputs,
        1e-6);
  }
}

TEST_F(CudaLibraryOps, ScratchOfLibraryCallsReturnsToTheAllocator) {
  const Tensor x = random::normal({4, 16, 16, 8}, 0.f, 1.f, 1).to(Device::cuda());
  const Tensor w = random::normal({3, 3, 8, 16}, 0.f, 1.f, 2).to(Device::cuda());
  (void)nn::conv2d(x, w, {2, 2}, nn::Padding::kSame).numpy<float>();  // warm up: handles, plans, workspaces
  const size_t before = memory_stats(Device::cuda()).current_bytes;
  for (int i = 0; i < 3; ++i) (void)nn::conv2d(x, w, {2, 2}, nn::Padding::kSame).numpy<float>();
  EXPECT_EQ(memory_stats(Device::cuda()).current_bytes, before) << "scratch (padded frame, filters, workspace) leaked";
}

}  // namespace
}  // namespace tapeflow::testing

#endif  // TAPEFLOW_WITH_CUDA
