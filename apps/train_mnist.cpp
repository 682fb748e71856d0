// train_mnist: the notes' `python train_mnist.py --model mlp|cnn`, natively.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "engine/keras/progbar.h"
#include "file_size_limit.h"
#include "tapeflow/data/tfrecord_dataset.h"
#include "tapeflow/io/idx.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/models/mnist_tfrecord.h"
#include "tapeflow/profiler.h"
#include "tapeflow/summary/summary.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/callbacks.h"
#include "tapeflow/train/checkpoint_manager.h"
#include "train_mnist_flags.h"

namespace tf = tapeflow;

namespace {

using Flags = tf::apps::TrainMnistFlags;

// The training batches of each epoch: the IDX tensors in the order fit() shuffles them, or the TFRecord
// pipeline (TFRecordDataset -> map(parse + decode_jpeg) -> shuffle -> batch -> prefetch).
struct TrainingBatches {
  std::optional<tf::TensorBatches> tensors;
  std::optional<tf::data::Dataset> dataset;

  int64_t count() const { return tensors ? tensors->num_batches() : -1; }  // -1: unknown
  template <class Step> void for_each(int epoch, Step step) {
    if (dataset) {
      for (const auto& [x, y] : *dataset) step(x, y);
      return;
    }
    tensors->start_epoch(epoch);
    for (int64_t b = 0; b < tensors->num_batches(); ++b) {
      const auto [x, y] = tensors->batch(b);
      step(x, y);
    }
  }
};

// What a checkpoint of this program holds: the model, its optimizer and the epochs finished, under the
// names ModelCheckpoint uses.
struct TrainingState {
  TrainingState(tf::Model& model, tf::optimizers::Optimizer& optimizer)
      : checkpoint({{"model", model}, {"optimizer", optimizer}, {"epoch", epochs_done}}) {}

  tf::Variable epochs_done{tf::zeros({}, tf::DType::kInt64), "epoch", false};
  tf::train::Checkpoint checkpoint;
};

std::unique_ptr<tf::Model> make_model(const std::string& name) {
  if (name == "mlp") return std::make_unique<tf::models::MLP>();
  return std::make_unique<tf::models::CNN>();
}

// The notes' custom loop: GradientTape, sparse_categorical_crossentropy, reduce_mean, apply_gradients;
// with --logdir the loss of every batch, a training sample image and a trace of the first batches go
// to TensorBoard, with --ckpt-dir a checkpoint is kept per epoch.
void train_with_tape(tf::Model& model, tf::optimizers::Optimizer& optimizer, TrainingBatches& batches,
                     const Flags& flags, int first_epoch, TrainingState& state) {
  tf::metrics::SparseCategoricalAccuracy accuracy;
  tf::metrics::Mean mean_loss("loss");
  std::shared_ptr<tf::summary::SummaryWriter> writer;
  std::optional<tf::summary::SummaryWriter::DefaultScope> default_writer;
  if (!flags.logdir.empty()) {
    writer = tf::summary::create_file_writer(flags.logdir);
    default_writer.emplace(writer);
    tf::summary::trace_on(true);
  }
  std::optional<tf::train::CheckpointManager> manager;
  if (!flags.ckpt_dir.empty()) manager.emplace(state.checkpoint, flags.ckpt_dir, "ckpt", 3);
  constexpr int64_t kTracedBatches = 20;
  for (int epoch = first_epoch; epoch < flags.epochs; ++epoch) {
    std::printf("Epoch %d/%d\n", epoch + 1, flags.epochs);
    accuracy.reset_state();
    mean_loss.reset_state();
    tf::detail::ProgressBar progress(batches.count(), 1);
    int64_t b = 0;
    batches.for_each(epoch, [&](const tf::Tensor& x_host, const tf::Tensor& y_host) {
      const tf::Tensor x = x_host.to(tf::default_device()), y = y_host.to(tf::default_device());
      if (writer && epoch == first_epoch && b == 0)
        tf::summary::image("Training sample", tf::slice(x_host, {0, 0, 0, 0}, {std::min<int64_t>(3, x.shape()[0]), -1, -1, -1}), 0);
      tf::GradientTape tape;
      const tf::Tensor y_pred = model(x, /*training=*/true);
      const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(y, y_pred));
      const std::vector<tf::Variable> vars = model.trainable_variables();
      const std::vector<tf::Tensor> grads = tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end()));
      optimizer.apply_gradients(grads, vars);
      accuracy.update_state(y, y_pred);
      mean_loss.update_state(loss);
      tf::summary::scalar("loss", loss, optimizer.iterations());
      ++b;
      if (writer && epoch == first_epoch && b == kTracedBatches) tf::summary::trace_export("model_trace", 0, flags.logdir);
      progress.update(b, {{"loss", mean_loss.result()}, {accuracy.name(), accuracy.result()}});
    });
    if (writer && tf::profiler::active()) tf::summary::trace_export("model_trace", 0, flags.logdir);  // a short epoch
    progress.finish({{"loss", mean_loss.result()}, {accuracy.name(), accuracy.result()}});
    if (manager) {
      state.epochs_done.assign(tf::constant(std::vector<int64_t>{epoch + 1}, tf::Shape{}));
      manager->save(epoch + 1);
    }
  }
  if (writer) writer->close();  // a write error (a full disk) surfaces here
}

// --resume: the newest checkpoint of --ckpt-dir into the built model and the optimizer; returns the
// epoch to continue from.
int resume(TrainingState& state, const Flags& flags) {
  if (flags.ckpt_dir.empty()) throw tf::Error("--resume needs --ckpt-dir (the folder to resume from)");
  const std::string latest = tf::train::latest_checkpoint(flags.ckpt_dir);
  if (latest.empty()) throw tf::Error("--resume: no checkpoint in " + flags.ckpt_dir);
  state.checkpoint.restore(latest).assert_existing_objects_matched();
  const int epochs_done = static_cast<int>(state.epochs_done.item<int64_t>());
  std::printf("Restored %s: %d epoch(s) done\n", latest.c_str(), epochs_done);
  return epochs_done;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (const std::optional<int> status = tf::apps::parse_train_mnist_flags(flags, argc, argv)) return *status;
  tf::apps::report_file_size_limit_as_error();

  try {
    tf::set_num_threads(flags.threads);
    if (flags.check_numerics) tf::debugging::enable_check_numerics();
    const tf::Device device = tf::parse_device(flags.device);
    const tf::DeviceScope on_device(device);  // the model builds its weights there

    const tf::io::MnistData data = tf::io::load_mnist(flags.data);
    TrainingBatches batches;
    int64_t train_examples = data.train_images.shape()[0];
    if (flags.tfrecord.empty()) {
      batches.tensors.emplace("train_mnist", data.train_images, data.train_labels, flags.batch_size, true, flags.seed);
      std::printf("Data: %s: %lld training and %lld test images\n", flags.data.c_str(),
                  static_cast<long long>(train_examples), static_cast<long long>(data.test_images.shape()[0]));
    } else {
      train_examples = 0;
      for (const tf::data::Element& record : tf::data::TFRecordDataset(flags.tfrecord)) train_examples += record.size();
      batches.dataset = tf::models::mnist_tfrecord_dataset(
          flags.tfrecord, {.batch_size = flags.batch_size, .shuffle_buffer = train_examples, .seed = flags.seed});
      std::printf("Data: %lld training records from %zu TFRecord file(s), %lld test images from %s\n",
                  static_cast<long long>(train_examples), flags.tfrecord.size(),
                  static_cast<long long>(data.test_images.shape()[0]), flags.data.c_str());
    }
    tf::random::set_seed(flags.seed);
    std::unique_ptr<tf::Model> model = make_model(flags.model);
    model->build({-1, 28, 28, 1});
    model->summary();
    auto optimizer = std::make_shared<tf::optimizers::Adam>(tf::optimizers::AdamOptions{.learning_rate = flags.lr});
    model->compile(optimizer, std::make_shared<tf::losses::SparseCategoricalCrossentropy>(),
                   {"sparse_categorical_accuracy"});
    model->run_eagerly = flags.run_eagerly;

    TrainingState state(*model, *optimizer);
    const int first_epoch = flags.resume ? resume(state, flags) : 0;

    const auto start = std::chrono::steady_clock::now();
    if (flags.loop == "fit") {
      std::vector<std::shared_ptr<tf::callbacks::Callback>> callbacks;
      if (!flags.logdir.empty())
        callbacks.push_back(std::make_shared<tf::callbacks::TensorBoard>(
            tf::callbacks::TensorBoardOptions{.log_dir = flags.logdir, .update_freq = 100}));
      if (!flags.ckpt_dir.empty())
        callbacks.push_back(std::make_shared<tf::callbacks::ModelCheckpoint>(
            tf::callbacks::ModelCheckpointOptions{.directory = flags.ckpt_dir, .max_to_keep = 3}));
      const tf::FitOptions options{.epochs = flags.epochs, .batch_size = flags.batch_size,
                                   .validation_data = {data.test_images, data.test_labels}, .callbacks = callbacks,
                                   .seed = flags.seed, .initial_epoch = first_epoch};
      if (batches.dataset) model->fit(*batches.dataset, options);
      else model->fit(data.train_images, data.train_labels, options);
    } else {
      train_with_tape(*model, *optimizer, batches, flags, first_epoch, state);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const auto test = model->evaluate(data.test_images, data.test_labels, {.batch_size = 500});
    const double examples_per_s = double(train_examples) * (flags.epochs - first_epoch) / seconds;
    std::printf("Test accuracy: %.4f  test loss: %.4f  (training %.1f s, %.0f examples/s)\n",
                test.at("sparse_categorical_accuracy"), test.at("loss"), seconds, examples_per_s);
    if (!flags.metrics_json.empty()) {
      const nlohmann::json j = {{"test_accuracy", test.at("sparse_categorical_accuracy")},
                                {"test_loss", test.at("loss")},
                                {"train_seconds", seconds},
                                {"train_examples_per_second", examples_per_s},
                                {"epochs", flags.epochs},
                                {"model", flags.model},
                                {"loop", flags.loop},
                                {"seed", flags.seed},
                                {"device", device.to_string()}};
      std::ofstream out(flags.metrics_json);
      if (!(out << j.dump(2) << "\n")) throw tf::Error("cannot write --metrics-json file " + flags.metrics_json);
    }
  } catch (const std::exception& e) {  // tapeflow's Errors, and the standard library's (out of memory, ...)
    std::fprintf(stderr, "train_mnist: %s\n", e.what());
    return 1;
  }
  return 0;
}
