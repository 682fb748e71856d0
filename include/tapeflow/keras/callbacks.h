#pragma once
// Keras callbacks: hooks that fit() calls around epochs and batches. Logs map metric names
// ("loss", "sparse_categorical_accuracy", "val_loss", ...) to values.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tapeflow {
class Model;
}

namespace tapeflow::callbacks {

using Logs = std::map<std::string, double>;

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Model&) {}
  virtual void on_train_end(Model&, const Logs&) {}
  virtual void on_epoch_begin(Model&, int /*epoch*/) {}
  virtual void on_epoch_end(Model&, int /*epoch*/, const Logs&) {}
  virtual void on_train_batch_begin(Model&, int64_t /*batch*/) {}
  virtual void on_train_batch_end(Model&, int64_t /*batch*/, const Logs&) {}
  // Set by a callback to end training after the current epoch (early stopping).
  bool stop_training = false;
};

// Whether `monitor` should rise: mode "max", or "auto" with an accuracy- or AUC-like name (Keras's rule).
// `callback` names the caller in the error for a bad mode.
bool monitor_maximizes(const std::string& callback, const std::string& monitor, const std::string& mode);

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0;
  int patience = 0;
  std::string mode = "auto";  // "min", "max", or "auto" (max for accuracy-like names)
  bool restore_best_weights = false;
};

// Stops fit() when `monitor` has not improved by min_delta for `patience` epochs.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(Model& model) override;
  void on_epoch_end(Model& model, int epoch, const Logs& logs) override;
  void on_train_end(Model& model, const Logs& logs) override;
  int stopped_epoch() const { return stopped_epoch_; }

 private:
  bool improved(double value) const;
  EarlyStoppingOptions options_;
  bool maximize_ = false;
  double best_ = std::numeric_limits<double>::infinity();
  int wait_ = 0;
  int stopped_epoch_ = -1;
  std::vector<std::vector<float>> best_weights_;
};

// Calls user functions at epoch and batch ends (Keras's LambdaCallback).
class LambdaCallback : public Callback {
 public:
  std::function<void(int epoch, const Logs&)> on_epoch_end_fn;
  std::function<void(int64_t batch, const Logs&)> on_batch_end_fn;
  void on_epoch_end(Model&, int epoch, const Logs& logs) override {
    if (on_epoch_end_fn) on_epoch_end_fn(epoch, logs);
  }
  void on_train_batch_end(Model&, int64_t batch, const Logs& logs) override {
    if (on_batch_end_fn) on_batch_end_fn(batch, logs);
  }
};

}  // namespace tapeflow::callbacks
