#pragma once
// cuBLAS, opened on first use (dynamic_library.cuh): the entry points tapeflow calls, and one handle per
// device, bound to the device's compute stream, with a fixed workspace from the scratch allocator (so cuBLAS
// never calls cudaMalloc itself).
#include <cublas_v2.h>

namespace tapeflow::kernels::cuda {

// X(member, symbol) for each cuBLAS function called: cublas().member is the library's `symbol`.
#define TAPEFLOW_CUBLAS_ENTRY_POINTS(X)     \
  X(Create, cublasCreate_v2)                \
  X(SetStream, cublasSetStream_v2)          \
  X(SetWorkspace, cublasSetWorkspace_v2)    \
  X(GetStatusString, cublasGetStatusString) \
  X(Sgeam, cublasSgeam)

struct CublasEntryPoints {
#define TAPEFLOW_CUBLAS_MEMBER(member, symbol) decltype(&::symbol) member = nullptr;
  TAPEFLOW_CUBLAS_ENTRY_POINTS(TAPEFLOW_CUBLAS_MEMBER)
#undef TAPEFLOW_CUBLAS_MEMBER
  // cublasGemmStridedBatchedEx, spelled out: the C++ header overloads it (an inline wrapper taking the legacy
  // cudaDataType compute type), so decltype cannot name the library's own entry point.
  cublasStatus_t (*GemmStridedBatchedEx)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int m, int n, int k,
                                         const void* alpha, const void* a, cudaDataType, int lda, long long stride_a,
                                         const void* b, cudaDataType, int ldb, long long stride_b, const void* beta,
                                         void* c, cudaDataType, int ldc, long long stride_c, int batch_count,
                                         cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
};

// Opens cuBLAS on the first call; throws tapeflow::Error when it is missing.
const CublasEntryPoints& cublas();

// Makes the device current.
cublasHandle_t cublas_handle(int device);

}  // namespace tapeflow::kernels::cuda
