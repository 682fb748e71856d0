#include "fuzz_entries.h"

namespace tapeflow::fuzz {

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"idx", idx},     {"tfrecord", tfrecord}, {"example", example}, {"safetensors", safetensors},
      {"checkpoint", checkpoint}, {"checkpoint_state", checkpoint_state}, {"image", image},
      {"text", text},   {"flags", flags},
  };
  return all;
}

}  // namespace tapeflow::fuzz
