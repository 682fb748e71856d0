#include "train_mnist_flags.h"

#include <CLI/CLI.hpp>

#include "command_line.h"
#include "number_checks.h"

namespace tapeflow::apps {

std::unique_ptr<CLI::App> train_mnist_command_line(TrainMnistFlags& flags) {
  auto app = std::make_unique<CLI::App>(
      "Train the notes' MLP or CNN on an MNIST-format data set (default: Fashion-MNIST).");
  app->add_option("--model", flags.model, "mlp or cnn")->check(CLI::IsMember({"mlp", "cnn"}))->capture_default_str();
  app->add_option("--data", flags.data, "folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]")
      ->capture_default_str();
  app->add_option("--epochs", flags.epochs, "epochs")->check(kPositive)->capture_default_str();
  app->add_option("--batch-size", flags.batch_size, "batch size")->check(kPositive)->capture_default_str();
  app->add_option("--lr", flags.lr, "Adam learning rate")->check(kPositive)->capture_default_str();
  app->add_option("--loop", flags.loop, "fit (Keras) or tape (the notes' GradientTape loop)")
      ->check(CLI::IsMember({"fit", "tape"}))
      ->capture_default_str();
  app->add_option("--device", flags.device, "auto (the GPU when there is one), cpu, cuda or cuda:N")
      ->capture_default_str();
  app->add_option("--threads", flags.threads, "CPU threads (0 = all cores)")->check(kNonNegative);
  app->add_option("--seed", flags.seed, "seed for weights and shuffling")->capture_default_str();
  app->add_option("--tfrecord", flags.tfrecord,
                  "train from these TFRecord files (Examples with image bytes and an int64 label, as `tfrecord write` "
                  "makes them) instead of --data's training files; --data still gives the test set");
  app->add_option("--logdir", flags.logdir, "write TensorBoard logs here (tensorboard --logdir DIR)");
  app->add_option("--ckpt-dir", flags.ckpt_dir, "keep a checkpoint per epoch here (the newest 3)");
  app->add_flag("--resume", flags.resume, "continue from the newest checkpoint of --ckpt-dir");
  app->add_flag("--check-numerics", flags.check_numerics,
                "stop at the first op, gradient or update that produces NaN or Inf, naming it (as tf.debugging.enable_check_numerics)");
  app->add_flag("--run-eagerly", flags.run_eagerly,
                "--loop fit on a GPU: run each training step op by op instead of replaying it as one CUDA graph "
                "(Keras's run_eagerly)");
  app->add_option("--metrics-json", flags.metrics_json, "write the final metrics to this JSON file");
  return app;
}

std::optional<int> parse_train_mnist_flags(TrainMnistFlags& flags, int argc, char** argv) {
  return parse_command_line(*train_mnist_command_line(flags), argc, argv);
}

}  // namespace tapeflow::apps
