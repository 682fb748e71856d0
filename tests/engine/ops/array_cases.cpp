// Op-table rows for the array family. (Filled in with the family's ops.)
#include "ops/op_case.h"

namespace tapeflow::testing {

std::vector<OpCase> array_cases() { return {}; }

}  // namespace tapeflow::testing
