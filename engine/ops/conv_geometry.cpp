#include "engine/ops/conv_geometry.h"

#include <algorithm>
#include <string>

#include "engine/check.h"

namespace tapeflow {

namespace nn {

Padding parse_padding(std::string_view padding) {
  if (padding == "same" || padding == "SAME") return Padding::kSame;
  if (padding == "valid" || padding == "VALID") return Padding::kValid;
  throw Error(fmt::format("padding: expected \"same\" or \"valid\", found \"{}\"", padding));
}

int64_t conv_output_size(int64_t input, int64_t window, int stride, int dilation, Padding padding) {
  TAPEFLOW_CHECK(input >= 0 && window >= 1 && stride >= 1 && dilation >= 1,
                 "conv_output_size: expected input >= 0 and window, stride, dilation >= 1, found {}, {}, {}, {}",
                 input, window, stride, dilation);
  const int64_t effective = (window - 1) * dilation + 1;
  if (padding == Padding::kSame) return (input + stride - 1) / stride;
  return input >= effective ? (input - effective) / stride + 1 : 0;
}

int64_t conv_padding_before(int64_t input, int64_t window, int stride, int dilation, Padding padding) {
  if (padding == Padding::kValid) return 0;
  const int64_t out = conv_output_size(input, window, stride, dilation, padding);
  const int64_t total = std::max<int64_t>((out - 1) * stride + (window - 1) * dilation + 1 - input, 0);
  return total / 2;  // TF puts the smaller half before
}

}  // namespace nn

namespace detail {

kernels::Conv2DGeometry conv_geometry(const char* op, const Shape& input, int64_t kh, int64_t kw, int64_t o,
                                      std::array<int, 2> strides, std::array<int, 2> dilations, nn::Padding padding) {
  TAPEFLOW_CHECK(input.rank() == 4, "{}: expected input [N, H, W, C], found {}", op, input);
  TAPEFLOW_CHECK(strides[0] > 0 && strides[1] > 0 && dilations[0] > 0 && dilations[1] > 0,
                 "{}: strides and dilations must be positive, found strides [{}, {}], dilations [{}, {}]", op,
                 strides[0], strides[1], dilations[0], dilations[1]);
  TAPEFLOW_CHECK(kh > 0 && kw > 0, "{}: the window must be at least 1x1, found {}x{}", op, kh, kw);
  kernels::Conv2DGeometry g{};
  g.n = input[0], g.h = input[1], g.w = input[2], g.c = input[3];
  g.kh = kh, g.kw = kw, g.o = o;
  g.stride_h = strides[0], g.stride_w = strides[1], g.dilation_h = dilations[0], g.dilation_w = dilations[1];
  g.oh = nn::conv_output_size(g.h, kh, strides[0], dilations[0], padding);
  g.ow = nn::conv_output_size(g.w, kw, strides[1], dilations[1], padding);
  g.pad_top = nn::conv_padding_before(g.h, kh, strides[0], dilations[0], padding);
  g.pad_left = nn::conv_padding_before(g.w, kw, strides[1], dilations[1], padding);
  TAPEFLOW_CHECK(padding == nn::Padding::kSame || ((kh - 1) * dilations[0] < g.h && (kw - 1) * dilations[1] < g.w),
                 "{}: a {}x{} window (dilation {}x{}) does not fit a {}x{} input with VALID padding", op, kh, kw,
                 dilations[0], dilations[1], g.h, g.w);
  return g;
}

kernels::Conv2DGeometry conv2d_geometry(const char* op, const Tensor& input, const Tensor& filters,
                                        std::array<int, 2> strides, std::array<int, 2> dilations, nn::Padding padding) {
  check_dtype(op, input, DType::kFloat32, "input");
  check_dtype(op, filters, DType::kFloat32, "filters");
  check_same_device(op, input, filters);
  TAPEFLOW_CHECK(input.rank() == 4 && filters.rank() == 4,
                 "{}: expected input [N, H, W, C] and filters [KH, KW, C, O], found input {} and filters {}", op,
                 input.shape(), filters.shape());
  TAPEFLOW_CHECK(input.shape()[3] == filters.shape()[2],
                 "{}: input has {} channels but filters expect {} (input {}, filters {})", op, input.shape()[3],
                 filters.shape()[2], input.shape(), filters.shape());
  return conv_geometry(op, input.shape(), filters.shape()[0], filters.shape()[1], filters.shape()[3], strides,
                       dilations, padding);
}

}  // namespace detail
}  // namespace tapeflow
