#include "export_images_flags.h"

#include <CLI/CLI.hpp>

#include "command_line.h"
#include "number_checks.h"

namespace tapeflow::apps {

std::unique_ptr<CLI::App> export_images_command_line(ExportImagesFlags& flags) {
  auto app = std::make_unique<CLI::App>(
      "Export an MNIST-format folder as one folder of images per class (OUT/<label>/<index>.jpg).");
  app->add_option("--data", flags.data, "an MNIST-format folder ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz])")
      ->capture_default_str();
  app->add_option("--out", flags.out, "the folder to create the class folders in")->required();
  app->add_option("--split", flags.split, "train or test")->check(CLI::IsMember({"train", "test"}))->capture_default_str();
  app->add_option("--limit", flags.limit, "export only the first N images (0: all)")->check(kNonNegative);
  app->add_option("--format", flags.format, "jpeg or png")->check(CLI::IsMember({"jpeg", "png"}))->capture_default_str();
  app->add_option("--quality", flags.quality, "JPEG quality")->check(CLI::Range(1, 100))->capture_default_str();
  return app;
}

std::optional<int> parse_export_images_flags(ExportImagesFlags& flags, int argc, char** argv) {
  return parse_command_line(*export_images_command_line(flags), argc, argv);
}

}  // namespace tapeflow::apps
