#include "tapeflow/ops/creation.h"

#include <algorithm>
#include <cmath>

#include "engine/check.h"
#include "kernels/elementwise.h"

namespace tapeflow {

template <class T> Tensor constant(const std::vector<T>& values, const Shape& shape) {
  TAPEFLOW_CHECK(static_cast<int64_t>(values.size()) == shape.num_elements(),
                 "constant: {} values do not fill shape {} ({} elements)", values.size(), shape, shape.num_elements());
  Tensor out = Tensor::empty(shape, dtype_of<T>);
  std::copy(values.begin(), values.end(), out.data<T>());
  return out;
}

Tensor constant(const std::vector<std::string>& values, const Shape& shape) { return constant<std::string>(values, shape); }

template <class T> Tensor constant(std::initializer_list<T> values) {
  return constant(std::vector<T>(values), Shape{static_cast<int64_t>(values.size())});
}

template <class T> Tensor constant(std::initializer_list<std::initializer_list<T>> rows) {
  const int64_t cols = rows.size() == 0 ? 0 : static_cast<int64_t>(rows.begin()->size());
  std::vector<T> values;
  for (const auto& row : rows) {
    TAPEFLOW_CHECK(static_cast<int64_t>(row.size()) == cols,
                   "constant: ragged nested list: expected rows of {} values, found one of {}", cols, row.size());
    values.insert(values.end(), row.begin(), row.end());
  }
  return constant(values, Shape{static_cast<int64_t>(rows.size()), cols});
}

template <class T>
Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> planes) {
  std::vector<T> values;
  Shape plane_shape;
  for (const auto& plane : planes) {
    const Tensor p = constant(plane);
    TAPEFLOW_CHECK(values.empty() || p.shape() == plane_shape,
                   "constant: ragged nested list: expected planes of shape {}, found {}", plane_shape, p.shape());
    plane_shape = p.shape();
    const T* d = p.data<T>();
    values.insert(values.end(), d, d + p.num_elements());
  }
  return constant(values, Shape{static_cast<int64_t>(planes.size()), plane_shape.rank() ? plane_shape[0] : 0,
                                plane_shape.rank() ? plane_shape[1] : 0});
}

#define TAPEFLOW_INSTANTIATE(T)                                                              \
  template Tensor constant<T>(const std::vector<T>&, const Shape&);                          \
  template Tensor constant<T>(std::initializer_list<T>);                                     \
  template Tensor constant<T>(std::initializer_list<std::initializer_list<T>>);              \
  template Tensor constant<T>(std::initializer_list<std::initializer_list<std::initializer_list<T>>>);
TAPEFLOW_INSTANTIATE(float)
TAPEFLOW_INSTANTIATE(int32_t)
TAPEFLOW_INSTANTIATE(int64_t)
TAPEFLOW_INSTANTIATE(uint8_t)
#undef TAPEFLOW_INSTANTIATE
template Tensor constant<std::string>(const std::vector<std::string>&, const Shape&);

// std::vector<bool> has no contiguous storage, so bool gets its own element-wise copy.
template <> Tensor constant<bool>(const std::vector<bool>& values, const Shape& shape) {
  TAPEFLOW_CHECK(static_cast<int64_t>(values.size()) == shape.num_elements(),
                 "constant: {} values do not fill shape {} ({} elements)", values.size(), shape, shape.num_elements());
  Tensor out = Tensor::empty(shape, DType::kBool);
  std::copy(values.begin(), values.end(), out.data<bool>());
  return out;
}
template Tensor constant<bool>(std::initializer_list<bool>);
template Tensor constant<bool>(std::initializer_list<std::initializer_list<bool>>);

namespace {
Tensor filled(const Shape& shape, DType dtype, Device device, double value) {
  TAPEFLOW_CHECK(dtype != DType::kString, "fill: string tensors cannot be filled with a number");
  Tensor out = Tensor::empty(shape, dtype, device);
  switch (device.type) {
    case DeviceType::kCPU: kernels::cpu::fill(out.raw_data(), dtype, out.num_elements(), value); break;
    case DeviceType::kCUDA:
#ifdef TAPEFLOW_WITH_CUDA
      kernels::cuda::fill(device.index, out.raw_data(), dtype, out.num_elements(), value);
      break;
#endif
      return filled(shape, dtype, Device::cpu(), value).to(device);  // a build without CUDA kernels
  }
  return out;
}
}  // namespace

Tensor zeros(const Shape& shape, DType dtype, Device device) { return filled(shape, dtype, device, 0); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return filled(shape, dtype, device, 1); }
Tensor fill(const Shape& shape, float value, Device device) { return filled(shape, DType::kFloat32, device, value); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }

Tensor arange(double start, double limit, double delta, DType dtype) {
  TAPEFLOW_CHECK(delta != 0, "arange: delta must not be zero");
  TAPEFLOW_CHECK(dtype == DType::kFloat32 || dtype == DType::kInt32 || dtype == DType::kInt64,
                 "arange: expected dtype float32, int32 or int64, found {}", dtype_name(dtype));
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
  Tensor out = Tensor::empty(Shape{n}, dtype);
  for (int64_t i = 0; i < n; ++i) {
    const double v = start + static_cast<double>(i) * delta;
    switch (dtype) {
      case DType::kFloat32: out.data<float>()[i] = static_cast<float>(v); break;
      case DType::kInt32: out.data<int32_t>()[i] = static_cast<int32_t>(v); break;
      default: out.data<int64_t>()[i] = static_cast<int64_t>(v); break;
    }
  }
  return out;
}

Tensor eye(int64_t n, DType dtype) {
  Tensor out = zeros(Shape{n, n}, DType::kFloat32);
  for (int64_t i = 0; i < n; ++i) out.data<float>()[i * n + i] = 1.f;
  return dtype == DType::kFloat32 ? out : out.cast(dtype);
}

}  // namespace tapeflow
