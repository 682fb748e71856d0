// Op-table rows for the linalg family. (Filled in with the family's ops.)
#include "ops/op_case.h"

namespace tapeflow::testing {

std::vector<OpCase> linalg_cases() { return {}; }

}  // namespace tapeflow::testing
