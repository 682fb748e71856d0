// Model: build, compile, the training and evaluation loops. summary() is in model_summary.cpp.
#include "tapeflow/keras/model.h"

#include <cstdio>

#include "engine/autodiff.h"
#include "engine/check.h"
#include "engine/keras/progbar.h"
#include "engine/numerics_check.h"
#include "tapeflow/function.h"
#include "tapeflow/gradient_tape.h"
#include "tapeflow/keras/batches.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow {

Model::Model(std::string name) : Model("Model", std::move(name)) {}
Model::Model(std::string type, std::string name) : Layer(std::move(type), std::move(name)) {}

void Model::build(const Shape& input_shape) {
  Shape concrete = input_shape;
  for (int i = 0; i < concrete.rank(); ++i)
    if (concrete[i] < 0) concrete[i] = 1;
  mark_built();
  (*this)(zeros(concrete, DType::kFloat32, default_device()), false);
}

void Model::compile(std::shared_ptr<optimizers::Optimizer> optimizer, std::shared_ptr<losses::Loss> loss,
                    std::vector<std::string> metric_names) {
  TAPEFLOW_CHECK(optimizer && loss, "{}: compile needs an optimizer and a loss", name());
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  metrics_.clear();
  const bool sparse_labels = loss_->name() == "sparse_categorical_crossentropy";
  for (const std::string& m : metric_names) {
    // Keras resolves "accuracy" by the loss: sparse labels mean sparse categorical accuracy.
    if ((m == "accuracy" || m == "acc") && sparse_labels) {
      metrics_.push_back(std::make_shared<metrics::SparseCategoricalAccuracy>(m));
    } else {
      metrics_.push_back(metrics::get(m));
    }
  }
}

optimizers::Optimizer& Model::optimizer() const {
  check_compiled("optimizer");
  return *optimizer_;
}

void Model::check_compiled(const char* what) const {
  TAPEFLOW_CHECK(optimizer_ && loss_, "{}: call compile(optimizer, loss, metrics) before {}", name(), what);
}

void Model::reset_metrics() {
  for (auto& m : metrics_) m->reset_state();
}

std::map<std::string, double> Model::metric_results(double mean_loss) const {
  std::map<std::string, double> logs{{"loss", mean_loss}};
  for (const auto& m : metrics_) logs[m->name()] = m->result();
  return logs;
}

std::vector<Tensor> Model::optimization_step(const Tensor& x, const Tensor& y) {
  Tensor y_pred, loss;
  std::vector<Variable> vars;
  std::vector<Tensor> grads;
  {
    GradientTape tape;
    y_pred = (*this)(x, /*training=*/true);
    loss = (*loss_)(y, y_pred);
    vars = trainable_variables();  // after the forward, which creates the weights on the first step
    grads = tape.gradient(loss, std::vector<Tensor>(vars.begin(), vars.end()));
  }
  optimizer_->apply_gradients(grads, vars);
  return {loss, y_pred};
}

double Model::train_step(const Tensor& x, const Tensor& y, Function* step) {
  const std::vector<Tensor> out = step != nullptr ? (*step)({x, y}) : optimization_step(x, y);
  for (auto& m : metrics_) m->update_state(y, out[1]);  // outside the graph: metrics read values back
  return out[0].item<float>();
}

namespace {
detail::NamedValues ordered(const std::map<std::string, double>& logs, const std::vector<std::string>& order) {
  detail::NamedValues out;
  for (const std::string& name : order)
    if (auto it = logs.find(name); it != logs.end()) out.emplace_back(name, it->second);
  return out;
}
}  // namespace

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  check_compiled("fit");
  TensorBatches batches("fit", x, y, options.batch_size, options.shuffle, options.seed);
  return fit_batches(batches, options);
}

History Model::fit(const data::Dataset& dataset, const FitOptions& options) {
  check_compiled("fit");
  DatasetBatches batches("fit", dataset, options.steps_per_epoch, /*needs_labels=*/true);
  return fit_batches(batches, options);
}

History Model::fit_batches(BatchSource& batches, const FitOptions& options) {
  std::vector<std::string> log_order{"loss"};
  for (const auto& m : metrics_) log_order.push_back(m->name());
  if (options.validation_data.defined()) {
    const size_t n = log_order.size();
    for (size_t i = 0; i < n; ++i) log_order.push_back("val_" + log_order[i]);
  }
  const auto* dataset_batches = dynamic_cast<const DatasetBatches*>(&batches);
  // A local, not a member: its body holds `this`, and models are movable.
  Function step([this](const std::vector<Tensor>& in) { return optimization_step(in[0], in[1]); },
                {.capture = !run_eagerly && !debugging::check_numerics_enabled(),
                 .run_eagerly_if_capture_fails = true});

  History history;
  stop_training = false;
  resume_at_epoch.reset();
  for (auto& cb : options.callbacks) cb->on_train_begin(*this);
  const int first_epoch = resume_at_epoch.value_or(options.initial_epoch);
  callbacks::Logs logs;
  for (int epoch = first_epoch; epoch < options.epochs && !stop_training; ++epoch) {
    if (options.verbose) std::printf("Epoch %d/%d\n", epoch + 1, options.epochs);
    for (auto& cb : options.callbacks) cb->on_epoch_begin(*this, epoch);
    batches.start_epoch(epoch);
    reset_metrics();
    detail::ProgressBar progress(batches.num_batches(), options.verbose);
    double loss_sum = 0;
    int64_t seen = 0;
    int64_t b = 0;
    while (const std::optional<std::pair<Tensor, Tensor>> batch = batches.next_batch()) {
      for (auto& cb : options.callbacks) cb->on_train_batch_begin(*this, b);
      const auto [bx, by] = on_model_device(*batch);
      const debugging::detail::FitPosition numerics_context(optimizer_->iterations() + 1, epoch + 1, b + 1);
      const double batch_loss = train_step(bx, by, &step);
      loss_sum += batch_loss * double(bx.shape()[0]);
      seen += bx.shape()[0];
      logs = metric_results(loss_sum / double(seen));
      for (auto& cb : options.callbacks) cb->on_train_batch_end(*this, b, logs);
      progress.update(++b, ordered(logs, log_order));
    }
    if (dataset_batches && dataset_batches->ran_out()) {
      // As Keras: a dataset shorter than epochs * steps_per_epoch ends training.
      std::fprintf(stderr, "fit: the dataset ran out of data after %d epoch(s) of steps_per_epoch=%lld; stopping\n",
                   epoch + 1, static_cast<long long>(*options.steps_per_epoch));
      stop_training = true;
    }
    if (options.validation_data.defined()) {
      for (const auto& [name, value] : evaluate_validation(options.validation_data, options)) logs["val_" + name] = value;
    }
    progress.finish(ordered(logs, log_order));
    history.epoch.push_back(epoch);
    for (const auto& [name, value] : logs) history.history[name].push_back(value);
    for (auto& cb : options.callbacks) {
      cb->on_epoch_end(*this, epoch, logs);
      stop_training = stop_training || cb->stop_training;
    }
  }
  for (auto& cb : options.callbacks) cb->on_train_end(*this, logs);
  return history;
}

std::map<std::string, double> Model::evaluate_validation(const ValidationData& data, const FitOptions& options) {
  if (data.dataset) return evaluate(*data.dataset, {.verbose = 0, .steps = options.validation_steps});
  return evaluate(data.x, data.y, {.batch_size = options.batch_size, .verbose = 0});
}

std::map<std::string, double> Model::evaluate(const Tensor& x, const Tensor& y, const EvaluateOptions& options) {
  check_compiled("evaluate");
  TensorBatches batches("evaluate", x, y, options.batch_size, false, std::nullopt);
  return evaluate_batches(batches, options.verbose);
}

std::map<std::string, double> Model::evaluate(const data::Dataset& dataset, const EvaluateOptions& options) {
  check_compiled("evaluate");
  DatasetBatches batches("evaluate", dataset, options.steps, /*needs_labels=*/true);
  return evaluate_batches(batches, options.verbose);
}

std::map<std::string, double> Model::evaluate_batches(BatchSource& batches, int verbose) {
  autodiff::NoRecordScope no_record;
  batches.start_epoch(0);
  detail::ProgressBar progress(batches.num_batches(), verbose);
  reset_metrics();
  double loss_sum = 0;
  int64_t seen = 0;
  std::map<std::string, double> logs;
  while (const std::optional<std::pair<Tensor, Tensor>> batch = batches.next_batch()) {
    const auto [bx, by] = on_model_device(*batch);
    const Tensor y_pred = (*this)(bx, false);
    loss_sum += double((*loss_)(by, y_pred).item<float>()) * double(bx.shape()[0]);
    seen += bx.shape()[0];
    for (auto& m : metrics_) m->update_state(by, y_pred);
    logs = metric_results(loss_sum / double(seen));
  }
  progress.finish({logs.begin(), logs.end()});
  return logs;
}

std::pair<Tensor, Tensor> Model::on_model_device(const std::pair<Tensor, Tensor>& batch) const {
  const std::vector<Variable> weights = variables();
  const Device device = weights.empty() ? default_device() : weights.front().device();
  const auto move = [&](const Tensor& t) { return t.defined() ? t.to(device) : t; };
  return {move(batch.first), move(batch.second)};
}

Tensor Model::predict(const Tensor& x, int64_t batch_size) {
  TensorBatches batches("predict", x, Tensor(), batch_size, false, std::nullopt);
  return predict_batches(batches);
}

Tensor Model::predict(const data::Dataset& dataset) {
  DatasetBatches batches("predict", dataset, std::nullopt, /*needs_labels=*/false);
  return predict_batches(batches);
}

Tensor Model::predict_batches(BatchSource& batches) {
  autodiff::NoRecordScope no_record;
  batches.start_epoch(0);
  std::vector<Tensor> outputs;
  while (const std::optional<std::pair<Tensor, Tensor>> batch = batches.next_batch())
    outputs.push_back((*this)(on_model_device(*batch).first, false));
  if (outputs.empty()) return Tensor();
  return outputs.size() == 1 ? outputs[0] : concat(outputs, 0);
}

std::map<std::string, double> Model::train_on_batch(const Tensor& x, const Tensor& y) {
  check_compiled("train_on_batch");
  TensorBatches("train_on_batch", x, y, std::max<int64_t>(x.shape()[0], 1), false, std::nullopt);
  reset_metrics();
  const double loss = train_step(x, y);
  return metric_results(loss);
}

std::map<std::string, double> Model::test_on_batch(const Tensor& x, const Tensor& y) {
  check_compiled("test_on_batch");
  return evaluate(x, y, {.batch_size = std::max<int64_t>(x.shape()[0], 1), .verbose = 0});
}

Sequential::Sequential(std::vector<AnyLayer> layers, std::string name) : Model("Sequential", std::move(name)) {
  for (AnyLayer& layer : layers) add(std::move(layer));
}

void Sequential::add(AnyLayer layer) {
  TAPEFLOW_CHECK(layer.get() != nullptr, "{}: add() got an empty layer", name());
  layers_.push_back(layer.get());
  track(*layers_.back());
}

Tensor Sequential::call(const Tensor& inputs, bool training) {
  Tensor x = inputs;
  for (const auto& layer : layers_) x = (*layer)(x, training);
  return x;
}

}  // namespace tapeflow
