#include "train_bench_flags.h"

#include <CLI/CLI.hpp>

#include "command_line.h"
#include "number_checks.h"

namespace tapeflow::bench {

std::unique_ptr<CLI::App> train_bench_command_line(TrainBenchFlags& flags) {
  auto app = std::make_unique<CLI::App>(
      "Time training steps (or, with --eval, inference) of the notes' MLP, CNN or char-RNN on synthetic data and "
      "print one JSON line: model, mode, device, threads, batch_size, steps, steps_per_s, examples_per_s, "
      "peak_rss_mb, peak_gpu_mb, start_to_first_step_s. Adam(1e-3); the char-RNN uses 40-character windows over "
      "a 114-character vocabulary and an LSTM of 256 units.");
  app->add_option("--model", flags.model, "mlp, cnn or rnn")->check(CLI::IsMember({"mlp", "cnn", "rnn"}))
      ->capture_default_str();
  app->add_option("--device", flags.device, "cpu, cuda or auto (the GPU when there is one)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))->capture_default_str();
  app->add_option("--threads", flags.threads, "CPU threads (0 = all cores)")->check(apps::kNonNegative)
      ->capture_default_str();
  app->add_option("--batch-size", flags.batch_size, "examples per step (default 50; 1000 with --eval)")
      ->check(apps::kPositive);
  app->add_option("--seconds", flags.seconds, "how long to time steps after the warm-up")
      ->check(CLI::Range(0.01, 3600.0))->capture_default_str();
  app->add_option("--warmup-steps", flags.warmup_steps, "untimed steps first (the first one included)")
      ->check(apps::kPositive)->capture_default_str();
  app->add_flag("--eval", flags.eval, "measure inference (predict) instead of training; mlp and cnn only");
  app->add_flag("--graph", flags.graph,
                "run each training step through tapeflow::Function (tf.function): on CUDA the second step is "
                "captured into a CUDA graph and later steps replay it with one launch");
  app->add_flag("--tf32", flags.tf32,
                "let matmul and conv use TF32 tensor cores (tf.config.experimental.enable_tensor_float32_execution; "
                "off by default, as PyTorch's matmuls; PyTorch's cuDNN convolutions use TF32 by default)");
  app->add_flag("--check-numerics", flags.check_numerics, "time with tf.debugging.enable_check_numerics on");
  app->add_option("--profile-steps", flags.profile_steps,
                  "after timing, profile this many more steps and print to stderr where their time goes: per op "
                  "and layer, the GPU time of the kernels it queued (the host's time on the CPU)")
      ->check(apps::kNonNegative)->capture_default_str();
  app->add_option("--seed", flags.seed, "seed for the weights and the synthetic batches")->capture_default_str();
  return app;
}

std::optional<int> parse_train_bench_flags(TrainBenchFlags& flags, int argc, char** argv) {
  return apps::parse_command_line(*train_bench_command_line(flags), argc, argv);
}

}  // namespace tapeflow::bench
