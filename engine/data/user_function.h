#pragma once
// Calls into user code (map and filter functions, generators) so that whatever they throw reaches the
// consumer as a tapeflow::Error naming the transformation.
#include <exception>
#include <string>
#include <utility>

#include "tapeflow/error.h"

namespace tapeflow::data {

template <class F>
decltype(auto) call_user_function(const char* transformation, F&& fn) {
  try {
    return std::forward<F>(fn)();
  } catch (const std::exception& e) {
    throw Error(std::string("Dataset.") + transformation + ": the function threw: " + e.what());
  } catch (...) {
    throw Error(std::string("Dataset.") + transformation + ": the function threw a non-standard exception");
  }
}

}  // namespace tapeflow::data
