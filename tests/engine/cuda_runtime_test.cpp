// Device discovery and --device parsing, CUDA memory statistics, pinned host tensors and the CUDA math
// settings. GPU-only cases skip on machines without one.
#include <gtest/gtest.h>

#include <numeric>

#include "error_of.h"
#include "tapeflow/device.h"
#include "tapeflow/runtime.h"
#include "tapeflow/tensor.h"

namespace tapeflow {
namespace {

using tapeflow::testing::error_of;

TEST(ParseDevice, ReadsCpuInEveryCommonSpelling) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu());
  EXPECT_EQ(parse_device("CPU"), Device::cpu());
  EXPECT_EQ(parse_device("CPU:0"), Device::cpu());
}

TEST(ParseDevice, RejectsUnknownNamesAndBadIndices) {
  EXPECT_EQ(error_of([] { parse_device("tpu"); }),
            "device \"tpu\": expected cpu, cuda, cuda:N, gpu, gpu:N or auto");
  EXPECT_EQ(error_of([] { parse_device("cpu:1"); }),
            "device \"cpu:1\": expected cpu, cuda, cuda:N, gpu, gpu:N or auto");
  EXPECT_EQ(error_of([] { parse_device("cuda:x"); }), "device \"cuda:x\": expected a device index >= 0 after the colon");
  EXPECT_EQ(error_of([] { parse_device("cuda:-1"); }),
            "device \"cuda:-1\": expected a device index >= 0 after the colon");
}

TEST(ParseDevice, CudaNamesTheMissingDevice) {
  const int count = cuda_device_count();
  const std::string text = "cuda:" + std::to_string(count);
  EXPECT_EQ(error_of([&] { parse_device(text); }),
            "device \"" + text + "\": CUDA:" + std::to_string(count) + " is not available: this machine has " +
                std::to_string(count) + " CUDA device(s)" + (count == 0 ? " (try --device cpu or auto)" : ""));
  if (count > 0) {
    EXPECT_EQ(parse_device("cuda"), Device::cuda(0));
    EXPECT_EQ(parse_device("GPU:0"), Device::cuda(0));
    EXPECT_EQ(parse_device("CUDA:0"), Device::cuda(0));
  }
}

TEST(ParseDevice, AutoPicksTheGpuOrSaysItFellBackToTheCpu) {
  ::testing::internal::CaptureStderr();
  const Device d = parse_device("auto");
  const std::string notice = ::testing::internal::GetCapturedStderr();
  if (cuda_is_available()) {
    EXPECT_EQ(d, Device::cuda(0));
    EXPECT_EQ(notice, "");
  } else {
    EXPECT_EQ(d, Device::cpu());
    EXPECT_EQ(notice, "tapeflow: no CUDA device found, running on the CPU\n");
  }
}

TEST(CudaDeviceInfo, NamesAMissingDevice) {
  const int count = cuda_device_count();
  EXPECT_EQ(error_of([&] { cuda_device_info(count); }),
            "cuda_device_info: no CUDA device " + std::to_string(count) + ": this machine has " +
                std::to_string(count) + " CUDA device(s)");
  EXPECT_EQ(error_of([] { cuda_device_info(-1); }).rfind("cuda_device_info: no CUDA device -1", 0), 0u);
}

TEST(CudaDeviceInfo, DescribesEveryDevice) {
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  for (int i = 0; i < cuda_device_count(); ++i) {
    const CudaDeviceInfo info = cuda_device_info(i);
    EXPECT_EQ(info.index, i);
    EXPECT_FALSE(info.name.empty());
    EXPECT_GT(info.sm_count, 0);
    EXPECT_GE(info.compute_capability_major, 5);
    EXPECT_GT(info.total_memory_bytes, size_t{1} << 30);
  }
}

TEST(MemoryStats, CudaDeviceThatIsMissingIsAnError) {
  const Device missing = Device::cuda(cuda_device_count());
  EXPECT_NE(error_of([&] { memory_stats(missing); }).find("memory_stats: device " + missing.to_string() +
                                                          " is not available"),
            std::string::npos);
}

TEST(PinnedEmpty, IsAWritableCpuTensor) {
  Tensor t = pinned_empty({3, 5}, DType::kFloat32);
  EXPECT_EQ(t.device(), Device::cpu());
  EXPECT_EQ(t.shape(), Shape({3, 5}));
  std::iota(t.data<float>(), t.data<float>() + 15, 0.f);
  EXPECT_EQ(t.numpy<float>()[14], 14.f);
  EXPECT_EQ(error_of([] { pinned_empty({2}, DType::kString); }),
            "pinned_empty: expected a numeric dtype, found string");
}

TEST(PinnedEmpty, BatchesReachTheGpuIntactWhenTheBufferIsRefilled) {
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  // The input-pipeline pattern: fill a pinned batch, send it, drop it, fill the next. Each async copy
  // must read its own batch even though the pinned block is recycled.
  constexpr int64_t kN = 1 << 20;
  std::vector<Tensor> on_gpu;
  for (int step = 0; step < 4; ++step) {
    Tensor batch = pinned_empty({kN}, DType::kFloat32);
    std::fill_n(batch.data<float>(), kN, float(step));
    on_gpu.push_back(batch.to(Device::cuda()));
  }
  for (int step = 0; step < 4; ++step) {
    const std::vector<float> got = on_gpu[size_t(step)].to(Device::cpu()).numpy<float>();
    EXPECT_EQ(std::count(got.begin(), got.end(), float(step)), kN) << "batch " << step;
  }
}

TEST(CudaSettings, Tf32IsOffByDefaultAndToggles) {
  EXPECT_FALSE(tensor_float32_execution_enabled());
  enable_tensor_float32_execution(true);
  EXPECT_TRUE(tensor_float32_execution_enabled());
  enable_tensor_float32_execution(false);
  EXPECT_FALSE(tensor_float32_execution_enabled());
}

TEST(CudaSettings, OpDeterminismIsOffByDefaultAndToggles) {
  EXPECT_FALSE(op_determinism_enabled());
  enable_op_determinism();
  EXPECT_TRUE(op_determinism_enabled());
  enable_op_determinism(false);
  EXPECT_FALSE(op_determinism_enabled());
}

TEST(CudaSettings, CudnnAlgorithmsAreTimedUnlessTheEnvironmentSaysNot) {
  const char* environment = std::getenv("TAPEFLOW_CUDNN_BENCHMARK");  // the GPU check reruns the tests with 0
  EXPECT_EQ(cudnn_benchmark(), environment == nullptr || std::string_view(environment) != "0");
}

TEST(CudaSettings, MatmulChoiceToggles) {
  const CudaMatmul initial = cuda_matmul();
  set_cuda_matmul(CudaMatmul::kTiled);
  EXPECT_EQ(cuda_matmul(), CudaMatmul::kTiled);
  set_cuda_matmul(CudaMatmul::kCublas);
  EXPECT_EQ(cuda_matmul(), CudaMatmul::kCublas);
  set_cuda_matmul(initial);
}

}  // namespace
}  // namespace tapeflow
