// One libFuzzer binary per entry of fuzz_entries.h: CMake builds this file once per target with
// TAPEFLOW_FUZZ_ENTRY set to the entry's name.
#include <cstddef>
#include <cstdint>

#include "fuzz_entries.h"
#include "tapeflow/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    tapeflow::fuzz::TAPEFLOW_FUZZ_ENTRY({reinterpret_cast<const char*>(data), size});
  } catch (const tapeflow::Error&) {
    // A clear rejection: the answer bad input should get. Any other exception escapes and is a finding.
  }
  return 0;
}
