// io_bench: what checkpoints and TensorBoard logging cost a training run.
//   - save (fsync'd, atomic) and restore of the notes' CNN with its Adam slots, MB/s;
//   - summary::scalar per call, as the training thread sees it (the write happens on the writer thread);
//   - the MLP's training step with and without a scalar logged every step.
// Prints a markdown table; medians over --repeats.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>

#include "number_checks.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;
namespace fs = std::filesystem;

namespace {

double median_seconds(int repeats, const std::function<void()>& run) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void adam_step(tf::Model& model, tf::optimizers::Adam& optimizer, const tf::Tensor& x, const tf::Tensor& y) {
  tf::GradientTape tape;
  const tf::Tensor loss = tf::reduce_mean(tf::losses::sparse_categorical_crossentropy(y, model(x, true)));
  const std::vector<tf::Variable> vars = model.trainable_variables();
  optimizer.apply_gradients(tape.gradient(loss, std::vector<tf::Tensor>(vars.begin(), vars.end())), vars);
  if (tf::summary::default_writer() != nullptr) tf::summary::scalar("loss", loss, optimizer.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Checkpoint and TensorBoard costs: CNN checkpoint save/restore, scalar summaries, MLP step with logging."};
  std::string dir = (fs::temp_directory_path() / "tapeflow_io_bench").string();
  int repeats = 5;
  int threads = 1;
  app.add_option("--dir", dir, "scratch folder (checkpoints and logs are written here)")->capture_default_str();
  app.add_option("--repeats", repeats, "measurements per figure (median)")->check(tapeflow::apps::kPositive)->capture_default_str();
  app.add_option("--threads", threads, "CPU threads")->check(tapeflow::apps::kPositive)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    tf::set_num_threads(threads);
    fs::remove_all(dir);
    const tf::Tensor images = tf::random::uniform({50, 28, 28, 1}, 0.f, 1.f, 1);
    const tf::Tensor labels = tf::random::uniform_int({50}, 0, 10, 2);

    tf::models::CNN cnn;
    tf::optimizers::Adam cnn_optimizer({.learning_rate = 1e-3});
    adam_step(cnn, cnn_optimizer, images, labels);  // creates the slots
    tf::train::Checkpoint checkpoint({{"model", cnn}, {"optimizer", cnn_optimizer}});
    tf::train::CheckpointManager manager(checkpoint, dir, "ckpt", 2);
    const double save_s = median_seconds(repeats, [&] { manager.save(); });
    const double mb = static_cast<double>(fs::file_size(tf::train::checkpoint_data_file(manager.latest_checkpoint()))) / 1e6;
    tf::models::CNN fresh;
    fresh.build({-1, 28, 28, 1});
    tf::optimizers::Adam fresh_optimizer({.learning_rate = 1e-3});
    tf::train::Checkpoint into({{"model", fresh}, {"optimizer", fresh_optimizer}});
    const double restore_s = median_seconds(repeats, [&] { into.restore(manager.latest_checkpoint()); });

    auto writer = tf::summary::create_file_writer(fs::path(dir) / "logs");
    constexpr int kScalars = 100'000;
    const double scalars_s = median_seconds(repeats, [&] {
      for (int i = 0; i < kScalars; ++i) writer->scalar("loss", 0.5, i);
    });
    const double flush_s = median_seconds(1, [&] { writer->flush(); });

    tf::models::MLP mlp;
    tf::optimizers::Adam mlp_optimizer({.learning_rate = 1e-3});
    constexpr int kSteps = 300;
    adam_step(mlp, mlp_optimizer, images, labels);
    const auto steps = [&] {
      for (int i = 0; i < kSteps; ++i) adam_step(mlp, mlp_optimizer, images, labels);
    };
    // Alternated, so that the machine's drift hits both alike.
    std::vector<double> plain, logged;
    for (int i = 0; i < repeats; ++i) {
      plain.push_back(median_seconds(1, steps));
      auto scope = writer->as_default();
      logged.push_back(median_seconds(1, steps));
    }
    std::sort(plain.begin(), plain.end());
    std::sort(logged.begin(), logged.end());
    const double plain_s = plain[plain.size() / 2], logged_s = logged[logged.size() / 2];
    writer->close();

    fmt::print("| figure | value |\n| --- | --- |\n");
    fmt::print("| CNN + Adam checkpoint size | {:.1f} MB |\n", mb);
    fmt::print("| save (write, fsync, rename, state file) | {:.1f} ms ({:.0f} MB/s) |\n", save_s * 1e3, mb / save_s);
    fmt::print("| restore (read, CRC32C check, assign) | {:.1f} ms ({:.0f} MB/s) |\n", restore_s * 1e3, mb / restore_s);
    fmt::print("| summary::scalar, per call on the training thread | {:.2f} us |\n", scalars_s / kScalars * 1e6);
    fmt::print("| writer thread: flush of {} scalars behind | {:.1f} ms |\n", kScalars, flush_s * 1e3);
    fmt::print("| MLP step, no logging | {:.3f} ms |\n", plain_s / kSteps * 1e3);
    fmt::print("| MLP step, loss scalar every step | {:.3f} ms ({:+.1f}%) |\n", logged_s / kSteps * 1e3,
               (logged_s / plain_s - 1) * 100);
    fs::remove_all(dir);
  } catch (const tf::Error& e) {
    fmt::print(stderr, "io_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
