#pragma once
// Wall-clock time as Unix seconds with a fraction, as TF writes it in event files and checkpoint state.
#include <chrono>

namespace tapeflow::io {

inline double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace tapeflow::io
