#include "fuzz_entries.h"
#include "tapeflow/io/safetensors.h"

namespace tapeflow::fuzz {

void safetensors(std::string_view data) { io::parse_safetensors(data, "fuzz input"); }

}  // namespace tapeflow::fuzz
