#include "textgen_flags.h"

#include <CLI/CLI.hpp>

#include "command_line.h"
#include "number_checks.h"

namespace tapeflow::apps {

std::unique_ptr<CLI::App> textgen_command_line(TextgenFlags& flags) {
  auto app = std::make_unique<CLI::App>(
      "Train the notes' char-RNN (one_hot -> LSTMCell(256) -> Dense) on a text corpus and sample from it.");
  app->add_option("--text", flags.text, "corpus: a text file, or a folder of them (default: Debian's fortunes)")
      ->capture_default_str();
  app->add_option("--seq-length", flags.seq_length, "characters per training window")
      ->check(kPositive)->capture_default_str();
  app->add_option("--batch-size", flags.batch_size, "windows per step")->check(kPositive)->capture_default_str();
  app->add_option("--steps", flags.steps, "training steps")->check(kNonNegative)->capture_default_str();
  app->add_option("--lr", flags.lr, "Adam learning rate")->check(kPositive)->capture_default_str();
  app->add_option("--log-every", flags.log_every, "print the loss every N steps")
      ->check(kPositive)->capture_default_str();
  app->add_option("--sample-length", flags.sample_length, "characters generated per temperature")
      ->check(kNonNegative)->capture_default_str();
  app->add_option("--device", flags.device, "auto (the GPU when there is one), cpu, cuda or cuda:N")
      ->capture_default_str();
  app->add_option("--threads", flags.threads, "CPU threads (0 = all cores)")->check(kNonNegative);
  app->add_option("--seed", flags.seed, "seed for weights, batches and sampling")->capture_default_str();
  app->add_option("--metrics-json", flags.metrics_json, "write final_loss and steps_per_s to this JSON file");
  app->add_option("--logdir", flags.logdir, "write the loss of every step to TensorBoard logs here");
  app->add_option("--ckpt-dir", flags.ckpt_dir, "keep checkpoints here (the newest 3)");
  app->add_option("--save-every", flags.save_every, "with --ckpt-dir, save every N steps (and at the end)")
      ->check(kPositive)->capture_default_str();
  app->add_flag("--resume", flags.resume, "continue training from the newest checkpoint of --ckpt-dir");
  app->add_flag("--sample-only", flags.sample_only, "sample from the newest checkpoint of --ckpt-dir, no training");
  app->add_flag("--check-numerics", flags.check_numerics,
                "stop at the first op, gradient or update that produces NaN or Inf, naming it (as tf.debugging.enable_check_numerics)");
  return app;
}

std::optional<int> parse_textgen_flags(TextgenFlags& flags, int argc, char** argv) {
  return parse_command_line(*textgen_command_line(flags), argc, argv);
}

}  // namespace tapeflow::apps
