#include "tfrecord_flags.h"

#include <CLI/CLI.hpp>

#include "command_line.h"

namespace tapeflow::apps {

std::unique_ptr<CLI::App> tfrecord_command_line(TfrecordFlags& flags) {
  auto app = std::make_unique<CLI::App>("Write, inspect and verify TFRecord files of tf.train.Examples.");
  app->require_subcommand(1);
  const auto add_command = [&](const std::string& name, const std::string& description, TfrecordCommand command) {
    CLI::App* sub = app->add_subcommand(name, description);
    sub->callback([&flags, command] { flags.command = command; });
    sub->add_option("--compression", flags.compression, "none, zlib or gzip (the whole file; never detected)")
        ->check(CLI::IsMember({"none", "zlib", "gzip", "NONE", "ZLIB", "GZIP"}))
        ->capture_default_str();
    return sub;
  };

  CLI::App* write = add_command(
      "write",
      "a folder with one sub-folder of images per class -> Examples {image: the file's bytes, label: int64}; "
      "classes sorted by name get labels 0..n-1",
      TfrecordCommand::kWrite);
  write->add_option("--images", flags.images, "the folder of class folders")->required();
  write->add_option("--out", flags.out, "the TFRecord file to create")->required();
  add_command("inspect", "count the records and list the Examples' features, kinds and lengths",
              TfrecordCommand::kInspect)
      ->add_option("file", flags.file, "a TFRecord file")
      ->required();
  add_command("verify", "check every record's CRCs; exit 1 naming the first bad offset", TfrecordCommand::kVerify)
      ->add_option("file", flags.file, "a TFRecord file")
      ->required();
  return app;
}

std::optional<int> parse_tfrecord_flags(TfrecordFlags& flags, int argc, char** argv) {
  return parse_command_line(*tfrecord_command_line(flags), argc, argv);
}

}  // namespace tapeflow::apps
