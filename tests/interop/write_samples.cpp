// Writes what the interop check reads with the real Python tools: a TensorBoard log (scalars, images,
// a histogram, text) and a checkpoint, plus expected.json with the values they must find.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tapeflow/io/atomic_file.h"
#include "tapeflow/models/mnist_models.h"
#include "tapeflow/summary/summary.h"
#include "tapeflow/tapeflow.h"
#include "tapeflow/train/checkpoint_manager.h"

namespace tf = tapeflow;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::remove_all(out);
  nlohmann::json expected;

  auto writer = tf::summary::create_file_writer(out / "logs");
  {
    auto scope = writer->as_default();
    for (int step = 0; step < 10; ++step) {
      const float loss = 2.f / static_cast<float>(step + 1);
      tf::summary::scalar("loss", loss, step);
      expected["loss"].push_back({step, loss});
    }
    std::vector<uint8_t> pixels(2 * 28 * 28);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>((i * 37) % 256);
    tf::Tensor images = tf::Tensor::empty({2, 28, 28, 1}, tf::DType::kUInt8);
    std::copy(pixels.begin(), pixels.end(), images.data<uint8_t>());
    tf::summary::image("Training sample", images, 0, 3);
    expected["image_pixels"] = pixels;
    tf::summary::histogram("weights", tf::constant(std::vector<float>{1, 2, 2, 3, 3, 3}, {6}), 5, 3);
    tf::summary::text("note", "hello *TensorBoard*", 1);
  }
  writer->close();

  tf::models::MLP model;
  model(tf::random::uniform({2, 28, 28, 1}, 0.f, 1.f, 1));
  tf::train::Checkpoint checkpoint({{"myAwesomeModel", model}});
  tf::train::CheckpointManager manager(checkpoint, out / "save", "model.ckpt", 3);
  expected["checkpoint"] = manager.save(100);
  for (const tf::Variable& v : model.variables()) {
    expected["tensors"]["myAwesomeModel/" + v.name()] = {{"shape", v.shape().dims()}, {"first", v.numpy<float>()[0]}};
  }
  tf::io::write_file_atomically(out / "expected.json", expected.dump());
  fmt::print("wrote {}\n", out.string());
  return 0;
}
