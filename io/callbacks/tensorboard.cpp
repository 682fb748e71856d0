#include "engine/check.h"
#include "tapeflow/keras/model.h"
#include "tapeflow/summary/summary.h"
#include "tapeflow/train/callbacks.h"

namespace tapeflow::callbacks {

TensorBoard::TensorBoard(TensorBoardOptions options) : options_(std::move(options)) {
  TAPEFLOW_CHECK(options_.update_freq >= 0 && options_.histogram_freq >= 0,
                 "TensorBoard: update_freq and histogram_freq must not be negative, found {} and {}",
                 options_.update_freq, options_.histogram_freq);
}

TensorBoard::~TensorBoard() = default;

void TensorBoard::on_train_begin(Model&) {
  train_writer_ = summary::create_file_writer(options_.log_dir / "train");
  validation_writer_ = summary::create_file_writer(options_.log_dir / "validation");
}

void TensorBoard::on_train_batch_end(Model& model, int64_t, const Logs& logs) {
  if (options_.update_freq == 0) return;
  const int64_t step = model.optimizer().iterations();
  if (step % options_.update_freq != 0) return;
  for (const auto& [name, value] : logs) train_writer_->scalar("batch_" + name, value, step);
}

void TensorBoard::on_epoch_end(Model& model, int epoch, const Logs& logs) {
  for (const auto& [name, value] : logs) {
    if (name.starts_with("val_")) validation_writer_->scalar("epoch_" + name.substr(4), value, epoch);
    else train_writer_->scalar("epoch_" + name, value, epoch);
  }
  if (options_.histogram_freq > 0 && epoch % options_.histogram_freq == 0)
    for (const Variable& v : model.variables()) train_writer_->histogram(v.name(), v, epoch);
}

void TensorBoard::on_train_end(Model&, const Logs&) {
  train_writer_->close();
  validation_writer_->close();
}

}  // namespace tapeflow::callbacks
