#pragma once
// Argument checks that throw tapeflow::Error with a formatted message.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tapeflow/error.h"
#include "tapeflow/shape.h"
#include "tapeflow/tensor.h"

template <>
struct fmt::formatter<tapeflow::Shape> : fmt::formatter<std::string> {
  auto format(const tapeflow::Shape& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(s.to_string(), ctx);
  }
};

#define TAPEFLOW_CHECK(cond, ...)                                 \
  do {                                                            \
    if (!(cond)) throw ::tapeflow::Error(fmt::format(__VA_ARGS__)); \
  } while (0)

namespace tapeflow::detail {

// "add: expected float32, found int32 for input b"
void check_dtype(const char* op, const Tensor& t, DType expected, const char* what);
void check_defined(const char* op, const Tensor& t, const char* what);
// Both tensors on one device: "add: tensors on different devices: a is CPU:0, b is CUDA:0".
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
[[noreturn]] void throw_no_cuda_kernel(const char* op);

}  // namespace tapeflow::detail
