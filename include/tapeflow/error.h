#pragma once
// The one exception type users see. Messages name the op/layer/file, what was expected and what was found.
#include <stdexcept>
#include <string>

namespace tapeflow {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown for features that are designed but not built yet; the message starts with "not implemented: ".
class NotImplemented : public Error {
 public:
  explicit NotImplemented(const std::string& what) : Error("not implemented: " + what) {}
};

}  // namespace tapeflow
