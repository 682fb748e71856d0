#pragma once
// Layers that only change shapes: Flatten and Reshape (the batch dim is kept).
#include <string>
#include <vector>

#include "tapeflow/keras/layer.h"

namespace tapeflow::layers {

struct FlattenOptions {
  std::string name;
};

// [batch, d1, d2, ...] -> [batch, d1 * d2 * ...].
class Flatten : public Layer {
 public:
  explicit Flatten(FlattenOptions options = {});
  Tensor call(const Tensor& inputs, bool training) override;
};

struct ReshapeOptions {
  std::vector<int64_t> target_shape;  // without the batch dim; one entry may be -1
  std::string name;
};

class Reshape : public Layer {
 public:
  explicit Reshape(ReshapeOptions options);
  Tensor call(const Tensor& inputs, bool training) override;

 private:
  ReshapeOptions options_;
};

}  // namespace tapeflow::layers
