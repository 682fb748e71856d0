#include "fuzz_entries.h"
#include "scratch_file.h"
#include "tapeflow/io/idx.h"

namespace tapeflow::fuzz {

// read_idx takes a path and sniffs gzip itself, so one entry covers plain and compressed files.
void idx(std::string_view data) { io::read_idx(scratch_file("input.idx", data)); }

}  // namespace tapeflow::fuzz
