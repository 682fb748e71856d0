#pragma once
// Elementwise kernels: unary math, binary arithmetic and comparisons with broadcasting, casts, fills.
// CPU implementations in kernels/cpu/elementwise.cpp, CUDA ones in kernels/cuda/elementwise.cu.
#include <cstdint>

#include "tapeflow/dtype.h"

namespace tapeflow::kernels {

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum };
enum class CompareOp { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
enum class UnaryOp { kNeg, kExp, kLog, kSqrt, kSquare, kRelu, kSigmoid, kTanh };
// Fused backward of an activation: dx = dy * f'(.), from the input x (relu) or the output y (sigmoid, tanh).
enum class ActivationGrad { kReluFromX, kSigmoidFromY, kTanhFromY };

inline constexpr int kMaxRank = 8;

// How two operands map onto a broadcast output: the output's dims and, per operand, the stride in
// elements of each output dim (0 where that operand is broadcast along it).
struct BroadcastLayout {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t a_strides[kMaxRank] = {};
  int64_t b_strides[kMaxRank] = {};
  int64_t num_elements() const;
};

namespace cpu {

void fill(void* out, DType dtype, int64_t n, double value);
// dtype float32, int32 or int64.
void binary(BinaryOp op, DType dtype, const void* a, const void* b, void* out, const BroadcastLayout& layout);
void compare(CompareOp op, DType dtype, const void* a, const void* b, bool* out, const BroadcastLayout& layout);
void unary(UnaryOp op, const float* x, float* y, int64_t n);
void activation_grad(ActivationGrad op, const float* x_or_y, const float* dy, float* dx, int64_t n);
// The backward of y = relu(x + bias) for x, y [rows, channels] and bias [channels], in one pass over dy:
// d_x = dy where y > 0, else 0, and d_bias = the column sums of d_x (summed in fixed row chunks, so the same at
// every thread count). On CUDA the same layer runs as separate ops.
void bias_relu_grad(const float* y, const float* dy, float* d_x, float* d_bias, int64_t rows, int64_t channels);
// Between any two non-string dtypes; float -> int truncates toward zero as TF's cast does.
void cast(DType from, const void* x, DType to, void* y, int64_t n);

}  // namespace cpu

// The same kernels on CUDA device `device` (every pointer in its memory), queued on its compute stream.
namespace cuda {

void fill(int device, void* out, DType dtype, int64_t n, double value);
void binary(int device, BinaryOp op, DType dtype, const void* a, const void* b, void* out,
            const BroadcastLayout& layout);
void compare(int device, CompareOp op, DType dtype, const void* a, const void* b, bool* out,
             const BroadcastLayout& layout);
void unary(int device, UnaryOp op, const float* x, float* y, int64_t n);
void activation_grad(int device, ActivationGrad op, const float* x_or_y, const float* dy, float* dx, int64_t n);
void cast(int device, DType from, const void* x, DType to, void* y, int64_t n);

}  // namespace cuda
}  // namespace tapeflow::kernels
