// CUDA twins of kernels/cpu/elementwise.cpp: the same functors' math per element, through the shared
// vectorized map (contiguous operands, or one operand a broadcast scalar) or the general broadcast
// kernel (any BroadcastLayout).
#include <cstdint>
#include <type_traits>

#include "kernels/cuda/map.cuh"
#include "kernels/elementwise.h"

namespace tapeflow::kernels::cuda {

namespace {

// --- the per-element functions, one functor per op ---

struct Add { template <class T> __device__ T operator()(T a, T b) const { return a + b; } };
struct Sub { template <class T> __device__ T operator()(T a, T b) const { return a - b; } };
struct Mul { template <class T> __device__ T operator()(T a, T b) const { return a * b; } };
struct Div { template <class T> __device__ T operator()(T a, T b) const { return a / b; } };
struct Maximum { template <class T> __device__ T operator()(T a, T b) const { return a > b ? a : b; } };
struct Minimum { template <class T> __device__ T operator()(T a, T b) const { return a < b ? a : b; } };
// As std::pow on the CPU: powf for floats, double pow (then truncation) for integers.
struct Pow {
  template <class T> __device__ T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, float>) return powf(a, b);
    else return static_cast<T>(pow(static_cast<double>(a), static_cast<double>(b)));
  }
};

struct Equal { template <class T> __device__ bool operator()(T a, T b) const { return a == b; } };
struct NotEqual { template <class T> __device__ bool operator()(T a, T b) const { return a != b; } };
struct Less { template <class T> __device__ bool operator()(T a, T b) const { return a < b; } };
struct LessEqual { template <class T> __device__ bool operator()(T a, T b) const { return a <= b; } };
struct Greater { template <class T> __device__ bool operator()(T a, T b) const { return a > b; } };
struct GreaterEqual { template <class T> __device__ bool operator()(T a, T b) const { return a >= b; } };

struct Neg { __device__ float operator()(float v) const { return -v; } };
struct Exp { __device__ float operator()(float v) const { return expf(v); } };
struct Log { __device__ float operator()(float v) const { return logf(v); } };
struct Sqrt { __device__ float operator()(float v) const { return sqrtf(v); } };
struct Square { __device__ float operator()(float v) const { return v * v; } };
struct Relu { __device__ float operator()(float v) const { return v > 0.f ? v : 0.f; } };
struct Sigmoid { __device__ float operator()(float v) const { return 1.f / (1.f + expf(-v)); } };
struct Tanh { __device__ float operator()(float v) const { return tanhf(v); } };

struct ReluGradFromX { __device__ float operator()(float x, float g) const { return x > 0.f ? g : 0.f; } };
struct SigmoidGradFromY { __device__ float operator()(float y, float g) const { return g * y * (1.f - y); } };
struct TanhGradFromY { __device__ float operator()(float y, float g) const { return g * (1.f - y * y); } };

// float -> int truncates toward zero (the C++ conversion, as the CPU); anything -> bool is x != 0.
template <class To> struct CastTo {
  template <class From> __device__ To operator()(From x) const {
    if constexpr (std::is_same_v<To, bool>) return x != From(0);
    else return static_cast<To>(x);
  }
};

template <class T> struct Constant {
  T value;
  __device__ T operator()() const { return value; }
};

// f with one operand fixed to the single element that `scalar` points at (a broadcast scalar).
template <class F, class T> struct ScalarRight {
  F f;
  const T* scalar;
  __device__ auto operator()(T a) const { return f(a, *scalar); }
};
template <class F, class T> struct ScalarLeft {
  F f;
  const T* scalar;
  __device__ auto operator()(T b) const { return f(*scalar, b); }
};

// --- the general broadcast path ---

// out[i] = f(a[offset_a(i)], b[offset_b(i)]): output element i is unravelled over l.dims and each
// operand's offset is the dot product with its strides (0 along its broadcast dims).
template <class F, class T, class R>
__global__ void broadcast_kernel(BroadcastLayout l, int64_t n, F f, const T* a, const T* b, R* out) {
  for (int64_t i = global_thread(); i < n; i += grid_threads()) {
    int64_t rem = i, offset_a = 0, offset_b = 0;
    for (int d = l.rank - 1; d >= 0; --d) {
      const int64_t k = rem % l.dims[d];
      rem /= l.dims[d];
      offset_a += k * l.a_strides[d];
      offset_b += k * l.b_strides[d];
    }
    out[i] = f(a[offset_a], b[offset_b]);
  }
}

template <class F, class T, class R>
void broadcast_as(int device, F f, const T* a, const T* b, R* out, const BroadcastLayout& l) {
  const int64_t n = l.num_elements();
  if (n == 0) return;
  const bool flat = l.rank == 1;
  if (flat && l.a_strides[0] == 1 && l.b_strides[0] == 1) return launch_map(device, n, f, out, a, b);
  if (flat && l.a_strides[0] == 1 && l.b_strides[0] == 0) return launch_map(device, n, ScalarRight<F, T>{f, b}, out, a);
  if (flat && l.a_strides[0] == 0 && l.b_strides[0] == 1) return launch_map(device, n, ScalarLeft<F, T>{f, a}, out, b);
  broadcast_kernel<<<grid_for(device, n), kThreads, 0, stream_for(device)>>>(l, n, f, a, b, out);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

// Calls visit(T{}) with the C++ type of `dtype`.
template <class Visit>
void visit_numeric(DType dtype, Visit visit) {
  switch (dtype) {
    case DType::kFloat32: return visit(float{});
    case DType::kInt32: return visit(int32_t{});
    case DType::kInt64: return visit(int64_t{});
    case DType::kUInt8: return visit(uint8_t{});
    case DType::kBool: return visit(bool{});
    case DType::kString: return;  // rejected by the engine
  }
}

template <class T, class F>
void binary_typed(int device, F f, const void* a, const void* b, void* out, const BroadcastLayout& l) {
  broadcast_as(device, f, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(out), l);
}

template <class F>
void binary_with(int device, F f, DType dtype, const void* a, const void* b, void* out, const BroadcastLayout& l) {
  switch (dtype) {
    case DType::kFloat32: return binary_typed<float>(device, f, a, b, out, l);
    case DType::kInt32: return binary_typed<int32_t>(device, f, a, b, out, l);
    case DType::kInt64: return binary_typed<int64_t>(device, f, a, b, out, l);
    default: return;  // rejected by the engine
  }
}

template <class F>
void compare_with(int device, F f, DType dtype, const void* a, const void* b, bool* out, const BroadcastLayout& l) {
  visit_numeric(dtype, [&](auto type_tag) {
    using T = decltype(type_tag);
    broadcast_as(device, f, static_cast<const T*>(a), static_cast<const T*>(b), out, l);
  });
}

}  // namespace

void fill(int device, void* out, DType dtype, int64_t n, double value) {
  visit_numeric(dtype, [&](auto type_tag) {
    using T = decltype(type_tag);
    const T v = std::is_same_v<T, bool> ? T(value != 0) : static_cast<T>(value);
    launch_map(device, n, Constant<T>{v}, static_cast<T*>(out));
  });
}

void binary(int device, BinaryOp op, DType dtype, const void* a, const void* b, void* out,
            const BroadcastLayout& layout) {
  switch (op) {
    case BinaryOp::kAdd: return binary_with(device, Add{}, dtype, a, b, out, layout);
    case BinaryOp::kSub: return binary_with(device, Sub{}, dtype, a, b, out, layout);
    case BinaryOp::kMul: return binary_with(device, Mul{}, dtype, a, b, out, layout);
    case BinaryOp::kDiv: return binary_with(device, Div{}, dtype, a, b, out, layout);
    case BinaryOp::kPow: return binary_with(device, Pow{}, dtype, a, b, out, layout);
    case BinaryOp::kMaximum: return binary_with(device, Maximum{}, dtype, a, b, out, layout);
    case BinaryOp::kMinimum: return binary_with(device, Minimum{}, dtype, a, b, out, layout);
  }
}

void compare(int device, CompareOp op, DType dtype, const void* a, const void* b, bool* out,
             const BroadcastLayout& layout) {
  switch (op) {
    case CompareOp::kEqual: return compare_with(device, Equal{}, dtype, a, b, out, layout);
    case CompareOp::kNotEqual: return compare_with(device, NotEqual{}, dtype, a, b, out, layout);
    case CompareOp::kLess: return compare_with(device, Less{}, dtype, a, b, out, layout);
    case CompareOp::kLessEqual: return compare_with(device, LessEqual{}, dtype, a, b, out, layout);
    case CompareOp::kGreater: return compare_with(device, Greater{}, dtype, a, b, out, layout);
    case CompareOp::kGreaterEqual: return compare_with(device, GreaterEqual{}, dtype, a, b, out, layout);
  }
}

void unary(int device, UnaryOp op, const float* x, float* y, int64_t n) {
  switch (op) {
    case UnaryOp::kNeg: return launch_map(device, n, Neg{}, y, x);
    case UnaryOp::kExp: return launch_map(device, n, Exp{}, y, x);
    case UnaryOp::kLog: return launch_map(device, n, Log{}, y, x);
    case UnaryOp::kSqrt: return launch_map(device, n, Sqrt{}, y, x);
    case UnaryOp::kSquare: return launch_map(device, n, Square{}, y, x);
    case UnaryOp::kRelu: return launch_map(device, n, Relu{}, y, x);
    case UnaryOp::kSigmoid: return launch_map(device, n, Sigmoid{}, y, x);
    case UnaryOp::kTanh: return launch_map(device, n, Tanh{}, y, x);
  }
}

void activation_grad(int device, ActivationGrad op, const float* x_or_y, const float* dy, float* dx, int64_t n) {
  switch (op) {
    case ActivationGrad::kReluFromX: return launch_map(device, n, ReluGradFromX{}, dx, x_or_y, dy);
    case ActivationGrad::kSigmoidFromY: return launch_map(device, n, SigmoidGradFromY{}, dx, x_or_y, dy);
    case ActivationGrad::kTanhFromY: return launch_map(device, n, TanhGradFromY{}, dx, x_or_y, dy);
  }
}

void cast(int device, DType from, const void* x, DType to, void* y, int64_t n) {
  visit_numeric(from, [&](auto from_tag) {
    using From = decltype(from_tag);
    visit_numeric(to, [&](auto to_tag) {
      using To = decltype(to_tag);
      launch_map(device, n, CastTo<To>{}, static_cast<To*>(y), static_cast<const From*>(x));
    });
  });
}

}  // namespace tapeflow::kernels::cuda
