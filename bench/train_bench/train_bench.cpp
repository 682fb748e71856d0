// train_bench: training (or inference) throughput of the notes' models on synthetic data, as one JSON line.
// bench/peers/torch_train.py takes the same flags and prints the same JSON for PyTorch.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "process_stats.h"
#include "profile_table.h"
#include "tapeflow/tapeflow.h"
#include "train_bench_flags.h"
#include "workload.h"

namespace tf = tapeflow;

namespace {

using Flags = tf::bench::TrainBenchFlags;

tf::Device pick_device(const std::string& device) {
  if (device == "cpu") return tf::Device::cpu();
  if (tf::cuda_is_available()) return tf::Device::cuda();
  if (device == "cuda") {
    throw tf::Error("--device cuda: no usable CUDA device on this machine (no GPU, no driver, or a build without "
                    "CUDA); use --device cpu");
  }
  std::fprintf(stderr, "train_bench: no CUDA device found: measuring on the CPU.\n");
  return tf::Device::cpu();
}

// Waits until the device has finished the work that produced `t` (a copy to the host is stream-ordered).
void wait_for(const tf::Tensor& t) { (void)t.to(tf::Device::cpu()); }

// Runs one step; a failure of the very first one says which model and device could not run.
tf::Tensor first_step(tf::bench::Workload& workload, const Flags& flags, const tf::Device& device) {
  try {
    const tf::Tensor out = flags.eval ? workload.predict_step() : workload.train_step();
    wait_for(out);
    return out;
  } catch (const tf::Error& e) {
    throw tf::Error("the first " + std::string(flags.eval ? "inference" : "training") + " step of --model " +
                    flags.model + " on " + device.to_string() + " failed: " + e.what());
  }
}

nlohmann::json run(const Flags& flags) {
  tf::set_num_threads(flags.threads);
  if (flags.check_numerics) tf::debugging::enable_check_numerics();
  tf::enable_tensor_float32_execution(flags.tf32);
  const tf::Device device = pick_device(flags.device);
  const int64_t batch_size = flags.batch_size.value_or(flags.eval ? 1000 : 50);
  tf::bench::Workload workload(
      {.model = flags.model, .batch_size = batch_size, .device = device, .seed = flags.seed, .graph = flags.graph});

  const auto step = [&] { return flags.eval ? workload.predict_step() : workload.train_step(); };

  first_step(workload, flags, device);
  const double start_to_first_step = tf::bench::seconds_since_process_start();
  for (int i = 1; i < flags.warmup_steps; ++i) wait_for(step());

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(flags.seconds));
  int64_t steps = 0;
  tf::Tensor last;
  while (steps == 0 || Clock::now() < deadline) {
    last = step();
    ++steps;
  }
  wait_for(last);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (!flags.eval && !std::isfinite(last.item<float>())) {
    throw tf::Error("the training loss of --model " + flags.model + " is not finite after " +
                    std::to_string(steps) + " timed steps");
  }

  if (flags.profile_steps > 0) {
    tf::profiler::start();
    for (int i = 0; i < flags.profile_steps; ++i) last = step();
    wait_for(last);
    const std::vector<tf::profiler::TraceEvent> events = tf::profiler::stop();
    std::fprintf(stderr, "%s", tf::bench::profile_table(events, flags.profile_steps, device.is_cuda()).c_str());
  }

  const double steps_per_s = static_cast<double>(steps) / elapsed;
  nlohmann::json peak_gpu_mb = nullptr;  // null: nothing ran on a GPU
  if (device.is_cuda()) peak_gpu_mb = static_cast<double>(tf::memory_stats(device).peak_bytes) / (1024.0 * 1024.0);
  return {{"model", flags.model},
          {"mode", flags.eval ? "eval" : "train"},
          {"device", device.is_cuda() ? "cuda" : "cpu"},
          {"graph", flags.graph},
          {"tf32", flags.tf32},
          {"threads", tf::num_threads()},
          {"batch_size", batch_size},
          {"steps", steps},
          {"steps_per_s", steps_per_s},
          {"examples_per_s", steps_per_s * static_cast<double>(batch_size)},
          {"peak_rss_mb", tf::bench::peak_rss_mib()},
          {"peak_gpu_mb", peak_gpu_mb},
          {"start_to_first_step_s", start_to_first_step}};
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (const std::optional<int> status = tf::bench::parse_train_bench_flags(flags, argc, argv)) return *status;

  try {
    if (flags.eval && flags.graph) throw tf::Error("not implemented: --graph with --eval (it captures training steps)");
    if (flags.graph && flags.profile_steps > 0) {
      throw tf::Error("not implemented: --profile-steps with --graph (a replayed graph runs no op scopes to time)");
    }
    if (flags.eval && flags.model == "rnn") {
      throw tf::Error("--eval measures the MNIST models' inference: expected --model mlp or cnn, found rnn");
    }
    std::printf("%s\n", run(flags).dump().c_str());
  } catch (const tf::Error& e) {
    std::fprintf(stderr, "train_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
