#include "engine/check.h"

namespace tapeflow::detail {

void check_defined(const char* op, const Tensor& t, const char* what) {
  TAPEFLOW_CHECK(t.defined(), "{}: {} is an undefined tensor", op, what);
}

void check_dtype(const char* op, const Tensor& t, DType expected, const char* what) {
  check_defined(op, t, what);
  TAPEFLOW_CHECK(t.dtype() == expected, "{}: expected {} to be {}, found {}", op, what, dtype_name(expected),
                 dtype_name(t.dtype()));
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  TAPEFLOW_CHECK(a.device() == b.device(), "{}: tensors on different devices: {} and {}", op,
                 a.device().to_string(), b.device().to_string());
}

void throw_no_cuda_kernel(const char* op) {
  throw NotImplemented(fmt::format("{} on a CUDA device (the CUDA kernels arrive with the CUDA backend)", op));
}

}  // namespace tapeflow::detail
