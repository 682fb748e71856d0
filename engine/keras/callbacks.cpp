#include "tapeflow/keras/callbacks.h"

#include <fmt/format.h>

#include "engine/check.h"
#include "tapeflow/keras/model.h"
#include "tapeflow/ops/creation.h"

namespace tapeflow::callbacks {

bool monitor_maximizes(const std::string& callback, const std::string& monitor, const std::string& mode) {
  TAPEFLOW_CHECK(mode == "auto" || mode == "min" || mode == "max", "{}: mode must be auto, min or max, found '{}'",
                 callback, mode);
  return mode == "max" || (mode == "auto" && (monitor.find("acc") != std::string::npos ||
                                              monitor.find("auc") != std::string::npos));
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), maximize_(monitor_maximizes("EarlyStopping", options_.monitor, options_.mode)) {}

bool EarlyStopping::improved(double value) const {
  return maximize_ ? value - options_.min_delta > best_ : value + options_.min_delta < best_;
}

void EarlyStopping::on_train_begin(Model&) {
  best_ = maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  wait_ = 0;
  stopped_epoch_ = -1;
  stop_training = false;
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(Model& model, int epoch, const Logs& logs) {
  const auto it = logs.find(options_.monitor);
  TAPEFLOW_CHECK(it != logs.end(), "EarlyStopping: the logs have no '{}' (is validation_data set?)", options_.monitor);
  if (improved(it->second)) {
    best_ = it->second;
    wait_ = 0;
    if (options_.restore_best_weights) {
      best_weights_.clear();
      for (const Variable& v : model.variables()) best_weights_.push_back(v.numpy<float>());
    }
    return;
  }
  if (++wait_ >= options_.patience) {
    stopped_epoch_ = epoch;
    stop_training = true;
  }
}

void EarlyStopping::on_train_end(Model& model, const Logs&) {
  if (!options_.restore_best_weights || best_weights_.empty() || stopped_epoch_ < 0) return;
  std::vector<Variable> vars = model.variables();
  for (size_t i = 0; i < vars.size() && i < best_weights_.size(); ++i)
    vars[i].assign(constant(best_weights_[i], vars[i].shape()));
}

}  // namespace tapeflow::callbacks
