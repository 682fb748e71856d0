#pragma once
// The message of the tapeflow::Error that `f` throws, or "(no error)": error tests compare whole messages.
#include <functional>
#include <string>

#include "tapeflow/error.h"

namespace tapeflow::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace tapeflow::testing
