#pragma once
// Turns op determinism (tapeflow/runtime.h) on for a test's scope, and off again however the test ends.
#include "tapeflow/runtime.h"

namespace tapeflow::testing {

struct OpDeterminismOn {
  OpDeterminismOn() { enable_op_determinism(); }
  ~OpDeterminismOn() { enable_op_determinism(false); }
  OpDeterminismOn(const OpDeterminismOn&) = delete;
  OpDeterminismOn& operator=(const OpDeterminismOn&) = delete;
};

}  // namespace tapeflow::testing
