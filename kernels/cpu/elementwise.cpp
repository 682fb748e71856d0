#include "kernels/elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace tapeflow::kernels {

int64_t BroadcastLayout::num_elements() const {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  return n;
}

namespace cpu {

namespace {

constexpr int64_t kParallelAbove = 1 << 15;  // elements; below this threads cost more than they give

// Walks the output row by row (a row is the last dim); the inner loop is specialised for the
// stride patterns that matter (both contiguous, one operand broadcast) so that it vectorises.
template <class T, class R, class F>
void broadcast_loop(const T* a, const T* b, R* out, const BroadcastLayout& l, F f) {
  const int64_t n = l.num_elements();
  if (n == 0) return;
  if (l.rank == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const int last = l.rank - 1;
  const int64_t cols = l.dims[last];
  const int64_t rows = n / cols;
  const int64_t sa = l.a_strides[last], sb = l.b_strides[last];
#pragma omp parallel for schedule(static) if (n > kParallelAbove)
  for (int64_t r = 0; r < rows; ++r) {
    int64_t oa = 0, ob = 0, rem = r;
    for (int d = last - 1; d >= 0; --d) {
      const int64_t i = rem % l.dims[d];
      rem /= l.dims[d];
      oa += i * l.a_strides[d];
      ob += i * l.b_strides[d];
    }
    const T* pa = a + oa;
    const T* pb = b + ob;
    R* po = out + r * cols;
    if (sa == 1 && sb == 1) {
#pragma omp simd
      for (int64_t c = 0; c < cols; ++c) po[c] = f(pa[c], pb[c]);
    } else if (sa == 1 && sb == 0) {
      const T vb = pb[0];
#pragma omp simd
      for (int64_t c = 0; c < cols; ++c) po[c] = f(pa[c], vb);
    } else if (sa == 0 && sb == 1) {
      const T va = pa[0];
#pragma omp simd
      for (int64_t c = 0; c < cols; ++c) po[c] = f(va, pb[c]);
    } else {
      for (int64_t c = 0; c < cols; ++c) po[c] = f(pa[c * sa], pb[c * sb]);
    }
  }
}

template <class T>
void binary_typed(BinaryOp op, const T* a, const T* b, T* out, const BroadcastLayout& l) {
  switch (op) {
    case BinaryOp::kAdd: return broadcast_loop(a, b, out, l, [](T x, T y) { return x + y; });
    case BinaryOp::kSub: return broadcast_loop(a, b, out, l, [](T x, T y) { return x - y; });
    case BinaryOp::kMul: return broadcast_loop(a, b, out, l, [](T x, T y) { return x * y; });
    case BinaryOp::kDiv: return broadcast_loop(a, b, out, l, [](T x, T y) { return x / y; });
    case BinaryOp::kPow:
      return broadcast_loop(a, b, out, l, [](T x, T y) { return static_cast<T>(std::pow(x, y)); });
    case BinaryOp::kMaximum: return broadcast_loop(a, b, out, l, [](T x, T y) { return x > y ? x : y; });
    case BinaryOp::kMinimum: return broadcast_loop(a, b, out, l, [](T x, T y) { return x < y ? x : y; });
  }
}

template <class T>
void compare_typed(CompareOp op, const T* a, const T* b, bool* out, const BroadcastLayout& l) {
  switch (op) {
    case CompareOp::kEqual: return broadcast_loop(a, b, out, l, [](T x, T y) { return x == y; });
    case CompareOp::kNotEqual: return broadcast_loop(a, b, out, l, [](T x, T y) { return x != y; });
    case CompareOp::kLess: return broadcast_loop(a, b, out, l, [](T x, T y) { return x < y; });
    case CompareOp::kLessEqual: return broadcast_loop(a, b, out, l, [](T x, T y) { return x <= y; });
    case CompareOp::kGreater: return broadcast_loop(a, b, out, l, [](T x, T y) { return x > y; });
    case CompareOp::kGreaterEqual: return broadcast_loop(a, b, out, l, [](T x, T y) { return x >= y; });
  }
}

template <class F> void map(const float* x, float* y, int64_t n, F f) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

template <class F> void map2(const float* x, const float* dy, float* dx, int64_t n, F f) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) dx[i] = f(x[i], dy[i]);
}

template <class From, class To> void cast_typed(const From* x, To* y, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelAbove)
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<To>(x[i]);
}

template <class From> void cast_from(const From* x, DType to, void* y, int64_t n) {
  switch (to) {
    case DType::kFloat32: return cast_typed(x, static_cast<float*>(y), n);
    case DType::kInt32: return cast_typed(x, static_cast<int32_t*>(y), n);
    case DType::kInt64: return cast_typed(x, static_cast<int64_t*>(y), n);
    case DType::kUInt8: return cast_typed(x, static_cast<uint8_t*>(y), n);
    case DType::kBool: {
      bool* out = static_cast<bool*>(y);
      for (int64_t i = 0; i < n; ++i) out[i] = x[i] != From(0);
      return;
    }
    case DType::kString: return;  // rejected by the engine
  }
}

}  // namespace

void fill(void* out, DType dtype, int64_t n, double value) {
  switch (dtype) {
    case DType::kFloat32: std::fill_n(static_cast<float*>(out), n, static_cast<float>(value)); return;
    case DType::kInt32: std::fill_n(static_cast<int32_t*>(out), n, static_cast<int32_t>(value)); return;
    case DType::kInt64: std::fill_n(static_cast<int64_t*>(out), n, static_cast<int64_t>(value)); return;
    case DType::kUInt8: std::fill_n(static_cast<uint8_t*>(out), n, static_cast<uint8_t>(value)); return;
    case DType::kBool: std::fill_n(static_cast<bool*>(out), n, value != 0); return;
    case DType::kString: return;  // rejected by the engine
  }
}

void binary(BinaryOp op, DType dtype, const void* a, const void* b, void* out, const BroadcastLayout& layout) {
  switch (dtype) {
    case DType::kFloat32:
      return binary_typed(op, static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(out),
                          layout);
    case DType::kInt32:
      return binary_typed(op, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b),
                          static_cast<int32_t*>(out), layout);
    case DType::kInt64:
      return binary_typed(op, static_cast<const int64_t*>(a), static_cast<const int64_t*>(b),
                          static_cast<int64_t*>(out), layout);
    default: return;  // rejected by the engine
  }
}

void compare(CompareOp op, DType dtype, const void* a, const void* b, bool* out, const BroadcastLayout& layout) {
  switch (dtype) {
    case DType::kFloat32:
      return compare_typed(op, static_cast<const float*>(a), static_cast<const float*>(b), out, layout);
    case DType::kInt32:
      return compare_typed(op, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b), out, layout);
    case DType::kInt64:
      return compare_typed(op, static_cast<const int64_t*>(a), static_cast<const int64_t*>(b), out, layout);
    case DType::kUInt8:
      return compare_typed(op, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b), out, layout);
    case DType::kBool:
      return compare_typed(op, static_cast<const bool*>(a), static_cast<const bool*>(b), out, layout);
    case DType::kString: return;  // rejected by the engine
  }
}

void unary(UnaryOp op, const float* x, float* y, int64_t n) {
  switch (op) {
    case UnaryOp::kNeg: return map(x, y, n, [](float v) { return -v; });
    case UnaryOp::kExp: return map(x, y, n, [](float v) { return std::exp(v); });
    case UnaryOp::kLog: return map(x, y, n, [](float v) { return std::log(v); });
    case UnaryOp::kSqrt: return map(x, y, n, [](float v) { return std::sqrt(v); });
    case UnaryOp::kSquare: return map(x, y, n, [](float v) { return v * v; });
    case UnaryOp::kRelu: return map(x, y, n, [](float v) { return v > 0.f ? v : 0.f; });
    case UnaryOp::kSigmoid: return map(x, y, n, [](float v) { return 1.f / (1.f + std::exp(-v)); });
    case UnaryOp::kTanh: return map(x, y, n, [](float v) { return std::tanh(v); });
  }
}

void activation_grad(ActivationGrad op, const float* x_or_y, const float* dy, float* dx, int64_t n) {
  switch (op) {
    case ActivationGrad::kReluFromX: return map2(x_or_y, dy, dx, n, [](float x, float g) { return x > 0.f ? g : 0.f; });
    case ActivationGrad::kSigmoidFromY:
      return map2(x_or_y, dy, dx, n, [](float y, float g) { return g * y * (1.f - y); });
    case ActivationGrad::kTanhFromY: return map2(x_or_y, dy, dx, n, [](float y, float g) { return g * (1.f - y * y); });
  }
}

void bias_relu_grad(const float* y, const float* dy, float* d_x, float* d_bias, int64_t rows, int64_t channels) {
  constexpr int64_t kChunkRows = 512;
  const int64_t chunks = (rows + kChunkRows - 1) / kChunkRows;
  std::vector<double> partial(static_cast<size_t>(chunks * channels), 0.0);
#pragma omp parallel for schedule(static) if (rows * channels > kParallelAbove)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    double* sum = partial.data() + chunk * channels;
    const int64_t end = std::min(rows, (chunk + 1) * kChunkRows);
    for (int64_t r = chunk * kChunkRows; r < end; ++r) {
      const float* y_row = y + r * channels;
      const float* dy_row = dy + r * channels;
      float* d_x_row = d_x + r * channels;
#pragma omp simd
      for (int64_t c = 0; c < channels; ++c) {
        const float g = y_row[c] > 0.f ? dy_row[c] : 0.f;
        d_x_row[c] = g;
        sum[c] += g;
      }
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    double total = 0;
    for (int64_t chunk = 0; chunk < chunks; ++chunk) total += partial[chunk * channels + c];
    d_bias[c] = static_cast<float>(total);
  }
}

void cast(DType from, const void* x, DType to, void* y, int64_t n) {
  switch (from) {
    case DType::kFloat32: return cast_from(static_cast<const float*>(x), to, y, n);
    case DType::kInt32: return cast_from(static_cast<const int32_t*>(x), to, y, n);
    case DType::kInt64: return cast_from(static_cast<const int64_t*>(x), to, y, n);
    case DType::kUInt8: return cast_from(static_cast<const uint8_t*>(x), to, y, n);
    case DType::kBool: return cast_from(static_cast<const bool*>(x), to, y, n);
    case DType::kString: return;  // rejected by the engine
  }
}

}  // namespace cpu
}  // namespace tapeflow::kernels
