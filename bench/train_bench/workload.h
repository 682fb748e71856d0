#pragma once
// One train_bench workload: a model of the notes (MLP, CNN or CharRNN), Adam(1e-3), and a small pool of
// synthetic batches of the model's shapes on the chosen device, so that no data files are needed.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tapeflow/tapeflow.h"

namespace tapeflow::bench {

// The char-RNN's vocabulary: the distinct bytes of Debian's fortunes corpus that textgen trains on.
inline constexpr int64_t kCharRnnVocabulary = 114;
inline constexpr int64_t kCharRnnSeqLength = 40;

struct WorkloadOptions {
  std::string model;  // "mlp", "cnn" or "rnn"
  int64_t batch_size = 50;
  Device device = Device::cpu();
  uint64_t seed = 0;
  bool graph = false;  // training steps through tapeflow::Function (a CUDA graph on CUDA)
};

class Workload {
 public:
  explicit Workload(const WorkloadOptions& options);

  // One optimisation step (the notes' GradientTape loop) on the next batch; returns the batch loss,
  // possibly still being computed on the device.
  Tensor train_step();
  // One forward pass without recording (predict) on the next batch; returns the predictions.
  Tensor predict_step();

 private:
  struct Batch {
    Tensor x;
    Tensor y;
  };
  const Batch& next_batch();
  Tensor train_on(const Tensor& x, const Tensor& y);

  bool is_rnn_;
  std::unique_ptr<Model> model_;
  optimizers::Adam optimizer_;
  std::vector<Batch> batches_;
  size_t next_ = 0;
  std::unique_ptr<Function> train_function_;  // with WorkloadOptions::graph
};

}  // namespace tapeflow::bench
