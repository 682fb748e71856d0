// cuBLAS and cuDNN are opened when a GPU first needs them (kernels/cuda/dynamic_library.cuh), never by a run
// that stays on the CPU: linked, libcublasLt alone made every CPU process ~150 MB larger at start-up.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "error_of.h"
#include "tapeflow/tapeflow.h"

#ifdef TAPEFLOW_WITH_CUDA
#include "kernels/cuda/dynamic_library.cuh"
#endif

namespace tapeflow {
namespace {

using tapeflow::testing::error_of;

std::string mapped_files() {
  std::ifstream maps("/proc/self/maps");
  return {std::istreambuf_iterator<char>(maps), std::istreambuf_iterator<char>()};
}

TEST(LibraryLoading, CpuMatmulAndConvolutionNeverMapCublasOrCudnn) {
  if (cuda_is_available()) GTEST_SKIP() << "a CUDA device is present: other tests of this process open cuBLAS";
  const Tensor x = random::uniform({2, 8, 8, 3}, 0.f, 1.f, 1);
  const Tensor y = nn::conv2d(x, random::uniform({3, 3, 3, 4}, 0.f, 1.f, 2), {1, 1}, nn::Padding::kSame);
  (void)matmul(reshape(y, {2, 256}), random::uniform({256, 5}, 0.f, 1.f, 3)).to(Device::cpu());
  const std::string maps = mapped_files();
  EXPECT_EQ(maps.find("libcublas"), std::string::npos);
  EXPECT_EQ(maps.find("libcudnn"), std::string::npos);
}

#ifdef TAPEFLOW_WITH_CUDA
using kernels::cuda::DynamicLibrary;

TEST(DynamicLibrary, NamesTheMissingLibraryAndWhereToPutIt) {
  const std::string message = error_of([] { DynamicLibrary("cuBLAS", "libtapeflow_absent.so.13"); });
  EXPECT_EQ(message.rfind("cuBLAS is needed on the GPU but libtapeflow_absent.so.13 could not be loaded (", 0), 0u)
      << message;
  EXPECT_NE(message.find("put its folder on LD_LIBRARY_PATH"), std::string::npos) << message;
}

TEST(DynamicLibrary, ResolvesSymbolsAndNamesAMissingOne) {
  const DynamicLibrary libc("the C library", "libc.so.6");
  size_t (*string_length)(const char*) = nullptr;
  libc.resolve(string_length, "strlen");
  EXPECT_EQ(string_length("tapeflow"), 8u);
  void (*absent)() = nullptr;
  const std::string message = error_of([&] { libc.resolve(absent, "tapeflow_absent_symbol"); });
  EXPECT_EQ(message.rfind("the C library (libc.so.6) has no tapeflow_absent_symbol (", 0), 0u) << message;
}
#endif

}  // namespace
}  // namespace tapeflow
