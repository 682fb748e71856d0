#include "tapeflow/keras/layers/core.h"

#include <fmt/format.h>

#include "tapeflow/ops/array.h"
#include "tapeflow/ops/nn.h"

namespace tapeflow::layers {

Activation::Activation(activations::Activation activation, std::string name)
    : Layer("Activation", std::move(name)), activation_(std::move(activation)) {}

Tensor Activation::call(const Tensor& inputs, bool) { return activation_(inputs); }

Dropout::Dropout(DropoutOptions options) : Layer("Dropout", options.name), options_(std::move(options)) {
  if (options_.rate < 0.f || options_.rate >= 1.f) fail(fmt::format("rate must be in [0, 1), found {}", options_.rate));
}

Tensor Dropout::call(const Tensor& inputs, bool training) {
  if (!training) return inputs;
  std::optional<uint64_t> seed;
  if (options_.seed) seed = *options_.seed + 0x9E3779B97F4A7C15ull * calls_++;
  return nn::dropout(inputs, options_.rate, true, seed);
}

Embedding::Embedding(EmbeddingOptions options) : Layer("Embedding", options.name), options_(std::move(options)) {
  if (options_.input_dim <= 0 || options_.output_dim <= 0)
    fail(fmt::format("expected input_dim > 0 and output_dim > 0, found {} and {}", options_.input_dim,
                     options_.output_dim));
}

void Embedding::build(const Shape&) {
  embeddings_ = add_weight("embeddings", {options_.input_dim, options_.output_dim}, options_.embeddings_initializer);
}

Tensor Embedding::call(const Tensor& inputs, bool) {
  if (inputs.dtype() != DType::kInt32 && inputs.dtype() != DType::kInt64)
    fail(fmt::format("expected int32 or int64 ids, found {}", dtype_name(inputs.dtype())));
  return gather(embeddings_, inputs);
}

}  // namespace tapeflow::layers
