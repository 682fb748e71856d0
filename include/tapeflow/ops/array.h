#pragma once
// Shape and indexing ops: tf.reshape, tf.transpose, tf.concat, tf.stack, tf.slice, tf.gather, tf.one_hot.
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow {

Tensor reshape(const Tensor& x, const Shape& shape);  // one dim may be -1
Tensor flatten(const Tensor& x);                      // [N, ...] -> [N, prod(...)], as Keras Flatten
Tensor expand_dims(const Tensor& x, int axis);
Tensor squeeze(const Tensor& x, const std::vector<int>& axes = {});  // all size-1 dims when empty
// Permutes dims; an empty perm reverses them, as tf.transpose.
Tensor transpose(const Tensor& x, const std::vector<int>& perm = {});
Tensor concat(const std::vector<Tensor>& values, int axis);
Tensor stack(const std::vector<Tensor>& values, int axis = 0);
// tf.slice: `size` -1 takes the rest of that dim.
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size);
// Rows of `params` along `axis` picked by int32/int64 `indices` (any shape), as tf.gather.
Tensor gather(const Tensor& params, const Tensor& indices, int axis = 0);
// float32 one-hot of int32/int64 indices with a new last dim of size depth; out-of-range indices give zeros.
Tensor one_hot(const Tensor& indices, int64_t depth, float on_value = 1.f, float off_value = 0.f);

}  // namespace tapeflow
