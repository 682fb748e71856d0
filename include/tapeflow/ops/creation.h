#pragma once
// Creating tensors: tf.constant, tf.zeros/ones/fill, tf.range, tf.eye, *_like.
#include <initializer_list>
#include <string>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow {

// From values and a shape; values.size() must equal the shape's element count.
template <class T> Tensor constant(const std::vector<T>& values, const Shape& shape);
Tensor constant(const std::vector<std::string>& values, const Shape& shape);
// A scalar, and nested lists as TF takes them: constant({{1.f, 2.f}, {3.f, 4.f}}) has shape [2, 2].
template <class T> Tensor constant(T value) { return constant(std::vector<T>{value}, Shape{}); }
template <class T> Tensor constant(std::initializer_list<T> values);
template <class T> Tensor constant(std::initializer_list<std::initializer_list<T>> rows);
template <class T> Tensor constant(std::initializer_list<std::initializer_list<std::initializer_list<T>>> planes);

Tensor zeros(const Shape& shape, DType dtype = DType::kFloat32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::kFloat32, Device device = Device::cpu());
Tensor fill(const Shape& shape, float value, Device device = Device::cpu());
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
// [start, limit) in steps of delta, as tf.range; dtype float32, int32 or int64.
Tensor arange(double start, double limit, double delta = 1, DType dtype = DType::kInt32);
Tensor eye(int64_t n, DType dtype = DType::kFloat32);

// Test/debug aid: when on, every new tensor's storage is filled with a poison pattern (NaN for
// float32) so that a kernel that leaves an output element unwritten is caught.
void set_poison_new_tensors(bool on);

}  // namespace tapeflow
