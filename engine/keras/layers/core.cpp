#include "tapeflow/keras/layers/core.h"

#include <fmt/format.h>

#include "tapeflow/ops/array.h"
#include "tapeflow/ops/math.h"
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
  mark_built();
}

Tensor Embedding::call(const Tensor& inputs, bool) {
  // Float ids are cast, as Keras does; Model::build feeds float zeros.
  const bool integer = inputs.dtype() == DType::kInt32 || inputs.dtype() == DType::kInt64;
  if (!integer && inputs.dtype() != DType::kFloat32)
    fail(fmt::format("expected integer ids, found {}", dtype_name(inputs.dtype())));
  try {
    return gather(embeddings_, integer ? inputs : cast(inputs, DType::kInt64));
  } catch (const Error& e) {
    fail(e.what());  // an id outside [0, input_dim): the same message, naming the layer
  }
}

}  // namespace tapeflow::layers
