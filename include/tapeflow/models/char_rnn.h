#pragma once
// The notes' RNN text generator: one_hot -> LSTMCell(256) stepped over the sequence -> Dense on the
// last output. The steps run as one op (LSTMCell::over_sequence), the one-hot products as one gather.
#include <cstdint>
#include <optional>

#include "tapeflow/keras.h"

namespace tapeflow::models {

class CharRNN : public Model {
 public:
  CharRNN(int64_t num_chars, int64_t batch_size, int64_t seq_length, int64_t units = 256);

  // inputs: int64 character ids [batch, seq_length]. As in the notes, the second argument is
  // from_logits: true returns the logits, false their softmax.
  Tensor call(const Tensor& inputs, bool from_logits) override;
  // One sampled next-character id per batch row from softmax(logits / temperature) (not argmax).
  Tensor predict(const Tensor& inputs, double temperature = 1.0, std::optional<uint64_t> seed = {});

  int64_t num_chars() const { return num_chars_; }
  int64_t batch_size() const { return batch_size_; }
  int64_t seq_length() const { return seq_length_; }

 protected:
  // The cell runs over whole sequences and is never called on one step's inputs, so the model tracks
  // and builds it (as LSTM builds its cell): first, so the weights keep the notes' order and names.
  void build_on_first_call(const Shape& input_shape) override;

 private:
  int64_t num_chars_;
  int64_t batch_size_;
  int64_t seq_length_;
  layers::LSTMCell cell_;
  layers::Dense dense_;
};

}  // namespace tapeflow::models
