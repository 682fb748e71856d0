#include "tapeflow/models/char_rnn.h"

#include <fmt/format.h>

#include "engine/autodiff.h"
#include "engine/check.h"
#include "tapeflow/tapeflow.h"

namespace tapeflow::models {

CharRNN::CharRNN(int64_t num_chars, int64_t batch_size, int64_t seq_length, int64_t units)
    : Model("char_rnn"),
      num_chars_(num_chars),
      batch_size_(batch_size),
      seq_length_(seq_length),
      cell_({.units = units}),
      dense_({.units = num_chars}) {
  TAPEFLOW_CHECK(num_chars > 0 && batch_size > 0 && seq_length > 0,
                 "CharRNN: expected positive num_chars, batch_size and seq_length, found {}, {}, {}", num_chars,
                 batch_size, seq_length);
}

void CharRNN::build_on_first_call(const Shape&) {
  track(cell_);
  cell_.build({-1, num_chars_});
}

Tensor CharRNN::call(const Tensor& inputs, bool from_logits) {
  TAPEFLOW_CHECK(inputs.rank() == 2 && inputs.shape()[1] == seq_length_,
                 "char_rnn (CharRNN): expected character ids [batch, {}], found {}", seq_length_, inputs.shape());
  // The notes feed the cell one_hot(ids): one_hot(id) kernel + bias is row `id` of kernel + bias, so the
  // inputs' gate terms for all steps are one gather (time-major, as the cell takes them), and the bias's
  // gradient sums num_chars rows rather than batch x seq.
  const Tensor x_gates = gather(cell_.kernel() + cell_.bias(), transpose(inputs, {1, 0}));  // [seq, batch, 4 units]
  const Tensor logits = dense_(cell_.over_sequence(x_gates).h);
  return from_logits ? logits : nn::softmax(logits);
}

Tensor CharRNN::predict(const Tensor& inputs, double temperature, std::optional<uint64_t> seed) {
  TAPEFLOW_CHECK(temperature > 0, "CharRNN::predict: temperature must be positive, found {}", temperature);
  autodiff::NoRecordScope no_record;
  const Tensor logits = (*this)(inputs, /*from_logits=*/true);
  const std::vector<float> prob = nn::softmax(logits / static_cast<float>(temperature)).numpy<float>();
  const int64_t batch = logits.shape()[0];
  const std::vector<float> u = random::uniform({batch}, 0.f, 1.f, seed).numpy<float>();
  std::vector<int64_t> picks(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) {
    // Inverse-CDF sampling, as np.random.choice(num_chars, p=prob[i]).
    double cumulative = 0;
    int64_t pick = num_chars_ - 1;
    for (int64_t c = 0; c < num_chars_; ++c) {
      cumulative += prob[i * num_chars_ + c];
      if (u[i] < cumulative) {
        pick = c;
        break;
      }
    }
    picks[i] = pick;
  }
  return constant(picks, {batch});
}

}  // namespace tapeflow::models
