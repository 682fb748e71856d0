// Op-table rows for the reduction family. (Filled in with the family's ops.)
#include "ops/op_case.h"

namespace tapeflow::testing {

std::vector<OpCase> reduction_cases() { return {}; }

}  // namespace tapeflow::testing
