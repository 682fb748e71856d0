#pragma once
// Flag checks that say what was wanted and what was found. CLI11's PositiveNumber and NonNegativeNumber report
// `--epochs -3` as out of the range 0 to DBL_MAX, printed in full: 300 digits.
#include <CLI/CLI.hpp>
#include <exception>
#include <string>

namespace tapeflow::apps {

namespace detail {

inline CLI::Validator number_check(const std::string& name, const std::string& wanted, bool (*accept)(double)) {
  return CLI::Validator(
      [wanted, accept](std::string& text) -> std::string {
        double value = 0;
        try {
          value = std::stod(text);
        } catch (const std::exception&) {
          return "";  // not a number: the option's own conversion says so
        }
        return accept(value) ? "" : "expected " + wanted + ", found " + text;
      },
      name);
}

}  // namespace detail

inline const CLI::Validator kPositive = detail::number_check("POSITIVE", "a number > 0", [](double v) { return v > 0; });
inline const CLI::Validator kNonNegative =
    detail::number_check("NONNEGATIVE", "a number >= 0", [](double v) { return v >= 0; });

}  // namespace tapeflow::apps
