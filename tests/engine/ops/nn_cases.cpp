// Op-table rows for the nn family. (Filled in with the family's ops.)
#include "ops/op_case.h"

namespace tapeflow::testing {

std::vector<OpCase> nn_cases() { return {}; }

}  // namespace tapeflow::testing
