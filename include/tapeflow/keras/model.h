#pragma once
// tapeflow::Model and Sequential, as keras.Model: subclass Model and write call(), or stack layers in
// a Sequential; then build/summary, compile, fit, evaluate, predict.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tapeflow/data/dataset.h"
#include "tapeflow/keras/batches.h"
#include "tapeflow/keras/callbacks.h"
#include "tapeflow/keras/layer.h"
#include "tapeflow/keras/losses.h"
#include "tapeflow/keras/metrics.h"
#include "tapeflow/keras/optimizers.h"

namespace tapeflow {

class Function;

// What fit() returns: per-epoch values of every logged metric ("loss", "val_loss", ...).
struct History {
  std::map<std::string, std::vector<double>> history;
  std::vector<int> epoch;
};

// Validation data for fit(): tensors {x, y}, or a Dataset of (x, y) batches; none by default.
struct ValidationData {
  ValidationData() = default;
  ValidationData(Tensor x_in, Tensor y_in) : x(std::move(x_in)), y(std::move(y_in)) {}
  ValidationData(data::Dataset batches) : dataset(std::move(batches)) {}  // NOLINT(google-explicit-constructor)
  Tensor x;
  Tensor y;
  std::optional<data::Dataset> dataset;
  bool defined() const { return x.defined() || dataset.has_value(); }
};

struct FitOptions {
  int epochs = 1;
  int64_t batch_size = 32;
  ValidationData validation_data;  // .validation_data = {x_test, y_test}
  bool shuffle = true;
  std::vector<std::shared_ptr<callbacks::Callback>> callbacks;
  int verbose = 1;          // 0 silent, 1 progress bar, 2 one line per epoch
  std::optional<uint64_t> seed;  // shuffling order; the global generator when unset
  int initial_epoch = 0;
  // For a Dataset (batch_size, shuffle and seed apply to tensors only): batches per epoch, read from
  // one pass that continues across epochs (needed for an infinite dataset); unset: one pass per epoch.
  std::optional<int64_t> steps_per_epoch;
  std::optional<int64_t> validation_steps;  // batches of a validation Dataset; unset: all of it
};

struct EvaluateOptions {
  int64_t batch_size = 32;
  int verbose = 0;
  std::optional<int64_t> steps;  // for a Dataset: at most this many batches
};

class Model : public Layer {
 public:
  explicit Model(std::string name = "");
  Model(Model&&) = default;

  bool is_model() const override { return true; }
  // Creates the weights by running call() once on zeros of `input_shape` (batch -1 counts as 1).
  void build(const Shape& input_shape) override;
  // Keras's table: Layer (type), Output Shape, Param #, then total/trainable/non-trainable params.
  void summary(std::ostream& os = std::cout, int line_length = 65) const;

  template <class Opt, class LossT>
    requires std::is_base_of_v<optimizers::Optimizer, Opt> && std::is_base_of_v<losses::Loss, LossT>
  void compile(Opt optimizer, LossT loss, std::vector<std::string> metrics = {}) {
    compile(std::make_shared<Opt>(std::move(optimizer)), std::make_shared<LossT>(std::move(loss)), std::move(metrics));
  }
  void compile(std::shared_ptr<optimizers::Optimizer> optimizer, std::shared_ptr<losses::Loss> loss,
               std::vector<std::string> metrics = {});

  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  // Elements are (x, y) batches (Dataset::batch); see FitOptions::steps_per_epoch.
  History fit(const data::Dataset& dataset, const FitOptions& options = {});
  std::map<std::string, double> evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options = {});
  std::map<std::string, double> evaluate(const data::Dataset& dataset, const EvaluateOptions& options = {});
  Tensor predict(const Tensor& x, int64_t batch_size = 32);
  Tensor predict(const data::Dataset& dataset);  // elements: x or (x, y) batches; y is ignored
  // One optimisation step on one batch; returns the batch's loss and metrics.
  std::map<std::string, double> train_on_batch(const Tensor& x, const Tensor& y);
  std::map<std::string, double> test_on_batch(const Tensor& x, const Tensor& y);

  optimizers::Optimizer& optimizer() const;
  bool stop_training = false;  // set by callbacks
  // Keras's model.run_eagerly. false: on a GPU, fit captures its training step into a CUDA graph on the
  // second batch and replays it (tapeflow::Function; with check_numerics on, or a step that cannot be
  // captured, it says why and runs eagerly). true: op by op. On the CPU it changes nothing.
  bool run_eagerly = false;
  // Set by a callback in on_train_begin (BackupAndRestore) to resume fit() at this epoch.
  std::optional<int> resume_at_epoch;

 protected:
  Model(std::string type, std::string name);
  // A model's layers build themselves as call() runs; no dummy forward pass first.
  void build_on_first_call(const Shape&) override {}

 private:
  void check_compiled(const char* what) const;
  // A batch moved to where the weights live (default_device() before they exist): the data pipeline
  // hands out CPU tensors, the model may train on a GPU.
  std::pair<Tensor, Tensor> on_model_device(const std::pair<Tensor, Tensor>& batch) const;
  // The one training loop and the one evaluation loop, over tensors or a dataset alike.
  History fit_batches(BatchSource& batches, const FitOptions& options);
  std::map<std::string, double> evaluate_batches(BatchSource& batches, int verbose);
  std::map<std::string, double> evaluate_validation(const ValidationData& data, const FitOptions& options);
  Tensor predict_batches(BatchSource& batches);
  // The forward pass, loss, gradients and update on one batch: {loss, predictions}.
  std::vector<Tensor> optimization_step(const Tensor& x, const Tensor& y);
  // Runs one training step (through `step` when given) and updates the compiled metrics; returns the batch loss.
  double train_step(const Tensor& x, const Tensor& y, Function* step = nullptr);
  std::map<std::string, double> metric_results(double mean_loss) const;
  void reset_metrics();

  std::shared_ptr<optimizers::Optimizer> optimizer_;
  std::shared_ptr<losses::Loss> loss_;
  std::vector<std::shared_ptr<metrics::Metric>> metrics_;
};

// A layer held by a Sequential: any Layer moved in by value, or shared.
class AnyLayer {
 public:
  template <class L>
    requires std::is_base_of_v<Layer, std::decay_t<L>> && (!std::is_lvalue_reference_v<L>)
  AnyLayer(L&& layer)  // NOLINT(google-explicit-constructor): Sequential({Dense(...), ...})
      : layer_(std::make_shared<std::decay_t<L>>(std::forward<L>(layer))) {}
  AnyLayer(std::shared_ptr<Layer> layer) : layer_(std::move(layer)) {}  // NOLINT(google-explicit-constructor)
  const std::shared_ptr<Layer>& get() const { return layer_; }

 private:
  std::shared_ptr<Layer> layer_;
};

class Sequential : public Model {
 public:
  explicit Sequential(std::vector<AnyLayer> layers = {}, std::string name = "");
  void add(AnyLayer layer);
  Tensor call(const Tensor& inputs, bool training) override;
  const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }

 private:
  std::vector<std::shared_ptr<Layer>> layers_;
};

}  // namespace tapeflow
