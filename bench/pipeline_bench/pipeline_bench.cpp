// pipeline_bench: can the notes' TFRecord pipeline feed the CNN?
//   1. writes --images Fashion-MNIST training images as JPEGs in one TFRecord file (as export_images +
//      `tfrecord write` would);
//   2. images/s through TFRecordDataset -> map(parse + decode_jpeg, N workers) -> batch(50), N = 1, 2;
//   3. the CNN's training steps/s fed from memory, from the pipeline without prefetch (serial map), and
//      with map(AUTOTUNE) + prefetch: prefetch should hide the input work behind the steps.
// Prints a markdown table.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "number_checks.h"
#include "tapeflow/io/example.h"
#include "tapeflow/io/idx.h"
#include "tapeflow/io/image.h"
#include "tapeflow/io/tfrecord_writer.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/models/mnist_tfrecord.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void write_records(const fs::path& file, const fs::path& data_dir, int64_t count) {
  const tf::Tensor images = tf::io::read_idx(data_dir / "train-images-idx3-ubyte.gz");
  const tf::Tensor labels = tf::io::read_idx(data_dir / "train-labels-idx1-ubyte.gz");
  tf::io::TFRecordWriter writer(file);
  for (int64_t i = 0; i < count; ++i) {
    const tf::Tensor image = tf::reshape(tf::slice(images, {i % images.shape()[0], 0, 0}, {1, 28, 28}), {28, 28, 1});
    writer.write(tf::io::Example({{"image", tf::io::Feature::bytes(tf::io::encode_jpeg(image))},
                                  {"label", tf::io::Feature::int64(tf::cast(tf::slice(labels, {i % labels.shape()[0]}, {1}),
                                                                            tf::DType::kInt64)
                                                                       .item<int64_t>())}})
                     .SerializeToString());
  }
  writer.close();
}

double images_per_second(const std::string& file, int64_t workers) {
  const auto ds = tf::models::mnist_tfrecord_dataset(
      {file}, {.batch_size = 50, .shuffle_buffer = 0, .num_parallel_calls = workers, .prefetch = false});
  int64_t seen = 0;
  const auto start = Clock::now();
  for (const tf::data::Element& batch : ds) seen += batch[0].shape()[0];
  return static_cast<double>(seen) / seconds_since(start);
}

void cnn_step(tf::Model& model, tf::optimizers::Adam& optimizer, const tf::Tensor& x, const tf::Tensor& y) {
  tf::GradientTape tape;
  const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(y, model(x, true)));
  const std::vector<tf::Variable> vars = model.trainable_variables();
  optimizer.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
}

// Steps/s over `steps` steps of batches from `ds` (the first step, which builds, not timed).
double steps_per_second(const tf::data::Dataset& ds, int64_t steps) {
  tf::models::CNN model;
  tf::optimizers::Adam optimizer({.learning_rate = 1e-3});
  int64_t done = -1;
  Clock::time_point start;
  for (const auto& [x, y] : ds) {
    cnn_step(model, optimizer, x, y);
    if (++done == 0) start = Clock::now();
    if (done == steps) break;
  }
  return static_cast<double>(done) / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The TFRecord + JPEG input pipeline's throughput, and the CNN fed by it with and without prefetch."};
  std::string data = tf::io::kFashionMnistDir;
  std::string dir = (fs::temp_directory_path() / "tapeflow_pipeline_bench").string();
  int64_t images = 10000, steps = 30;
  int threads = 1;
  app.add_option("--data", data, "MNIST-format folder to take images from")->capture_default_str();
  app.add_option("--images", images, "records in the TFRecord file")->check(tapeflow::apps::kPositive)->capture_default_str();
  app.add_option("--steps", steps, "timed CNN steps per variant")->check(tapeflow::apps::kPositive)->capture_default_str();
  app.add_option("--threads", threads, "compute threads for the CNN")->check(tapeflow::apps::kPositive)->capture_default_str();
  app.add_option("--dir", dir, "scratch folder")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    fs::create_directories(dir);
    const std::string file = (fs::path(dir) / "train.tfrecord").string();
    write_records(file, data, images);
    const double one = images_per_second(file, 1), two = images_per_second(file, 2);

    tf::set_num_threads(threads);
    const auto in_memory = tf::models::mnist_tfrecord_dataset({file}, {.shuffle_buffer = 0, .prefetch = false}).take(1).cache().repeat();
    const double memory_steps = steps_per_second(in_memory, steps);
    const double serial_steps = steps_per_second(
        tf::models::mnist_tfrecord_dataset({file}, {.shuffle_buffer = 0, .num_parallel_calls = 1, .prefetch = false}).repeat(),
        steps);
    const double prefetched_steps = steps_per_second(
        tf::models::mnist_tfrecord_dataset({file}, {.shuffle_buffer = 1000, .seed = 1}).repeat(), steps);

    fmt::print("| figure | value |\n| --- | --- |\n");
    fmt::print("| pipeline, 1 map worker | {:.0f} images/s |\n", one);
    fmt::print("| pipeline, 2 map workers | {:.0f} images/s |\n", two);
    fmt::print("| CNN ({} compute thread(s)), batches from memory | {:.2f} steps/s = {:.0f} images/s |\n", threads,
               memory_steps, memory_steps * 50);
    fmt::print("| headroom: pipeline (1 worker) / CNN's consumption | {:.1f}x |\n", one / (memory_steps * 50));
    fmt::print("| CNN fed by the pipeline, serial map, no prefetch | {:.2f} steps/s |\n", serial_steps);
    fmt::print("| CNN fed by the pipeline, map(AUTOTUNE) + shuffle + prefetch | {:.2f} steps/s |\n", prefetched_steps);
    fs::remove_all(dir);
  } catch (const tf::Error& e) {
    fmt::print(stderr, "pipeline_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
