#include "workload.h"

#include "tapeflow/models/char_rnn.h"
#include "tapeflow/models/mnist_models.h"

namespace tapeflow::bench {
namespace {

// Batches are drawn once and cycled, so timing measures the step, not the data generation.
constexpr int kBatchPool = 8;

std::unique_ptr<Model> make_model(const std::string& name, int64_t batch_size) {
  if (name == "mlp") return std::make_unique<models::MLP>();
  if (name == "cnn") return std::make_unique<models::CNN>();
  if (name == "rnn") return std::make_unique<models::CharRNN>(kCharRnnVocabulary, batch_size, kCharRnnSeqLength);
  throw Error("train_bench: expected --model mlp, cnn or rnn, found '" + name + "'");
}

}  // namespace

Workload::Workload(const WorkloadOptions& options)
    : is_rnn_(options.model == "rnn"), optimizer_({.learning_rate = 0.001}) {
  random::set_seed(options.seed);
  model_ = make_model(options.model, options.batch_size);
  for (int i = 0; i < kBatchPool; ++i) {
    Batch batch;
    if (is_rnn_) {
      // Character ids [batch, 40] and the id that follows each window [batch].
      batch.x = random::uniform_int({options.batch_size, kCharRnnSeqLength}, 0, kCharRnnVocabulary);
      batch.y = random::uniform_int({options.batch_size}, 0, kCharRnnVocabulary);
    } else {
      // MNIST-shaped images [batch, 28, 28, 1] in [0, 1) and labels [batch] in [0, 10).
      batch.x = random::uniform({options.batch_size, 28, 28, 1});
      batch.y = random::uniform_int({options.batch_size}, 0, 10);
    }
    batches_.push_back({batch.x.to(options.device), batch.y.to(options.device)});
  }
  if (options.graph) {
    train_function_ = std::make_unique<Function>(
        [this](const std::vector<Tensor>& in) { return std::vector<Tensor>{train_on(in[0], in[1])}; });
  }
}

const Workload::Batch& Workload::next_batch() {
  const Batch& batch = batches_[next_];
  next_ = (next_ + 1) % batches_.size();
  return batch;
}

Tensor Workload::train_step() {
  const Batch& batch = next_batch();
  return train_function_ ? (*train_function_)({batch.x, batch.y})[0] : train_on(batch.x, batch.y);
}

Tensor Workload::train_on(const Tensor& x, const Tensor& y) {
  GradientTape tape;
  // CharRNN's second argument is from_logits (false: softmax, as the notes); the others' is training.
  const Tensor y_pred = is_rnn_ ? (*model_)(x, false) : (*model_)(x, true);
  const Tensor loss = reduce_mean(losses::sparse_categorical_crossentropy(y, y_pred));
  const std::vector<Variable> vars = model_->trainable_variables();
  optimizer_.apply_gradients(tape.gradient(loss, std::vector<Tensor>(vars.begin(), vars.end())), vars);
  return loss;
}

Tensor Workload::predict_step() {
  const Batch& batch = next_batch();
  return model_->predict(batch.x, batch.x.shape()[0]);
}

}  // namespace tapeflow::bench
