#include "fuzz_entries.h"
#include "scratch_file.h"
#include "tapeflow/io/text.h"

namespace tapeflow::fuzz {

void text(std::string_view data) { io::read_text(scratch_file("input.txt", data)); }

}  // namespace tapeflow::fuzz
