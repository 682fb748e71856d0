#pragma once
// Small layers: Activation, Dropout, Embedding.
#include <cstdint>
#include <optional>
#include <string>

#include "tapeflow/keras/activations.h"
#include "tapeflow/keras/initializers.h"
#include "tapeflow/keras/layer.h"

namespace tapeflow::layers {

// Applies an activation by name or function: Activation("relu").
class Activation : public Layer {
 public:
  explicit Activation(activations::Activation activation, std::string name = "");
  Tensor call(const Tensor& inputs, bool training) override;

 private:
  activations::Activation activation_;
};

struct DropoutOptions {
  float rate = 0.f;
  std::optional<uint64_t> seed;  // the global generator when unset
  std::string name;
};

// Zeroes a fraction `rate` of the inputs (scaling the rest by 1 / (1 - rate)) when training only.
class Dropout : public Layer {
 public:
  explicit Dropout(DropoutOptions options);
  Tensor call(const Tensor& inputs, bool training) override;

 private:
  DropoutOptions options_;
  uint64_t calls_ = 0;  // a seeded layer draws a fresh mask each call, reproducibly
};

struct EmbeddingOptions {
  int64_t input_dim = 0;   // vocabulary size
  int64_t output_dim = 0;  // vector size
  initializers::Initializer embeddings_initializer = "random_uniform";
  std::string name;
};

// Integer ids [...] -> vectors [..., output_dim] from an embeddings matrix [input_dim, output_dim].
class Embedding : public Layer {
 public:
  explicit Embedding(EmbeddingOptions options);
  void build(const Shape& input_shape) override;
  Tensor call(const Tensor& inputs, bool training) override;
  const Variable& embeddings() const { return embeddings_; }

 private:
  EmbeddingOptions options_;
  Variable embeddings_;
};

}  // namespace tapeflow::layers
