#pragma once
// Keras's progress bar: "1200/1200 [==============================] - 3s 2ms/step - loss: 0.3120".
// On a terminal it redraws in place; otherwise it prints only the finished line.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace tapeflow::detail {

using NamedValues = std::vector<std::pair<std::string, double>>;

class ProgressBar {
 public:
  // target -1: unknown (a dataset's first epoch); the bar then counts steps, as Keras's "12/Unknown".
  ProgressBar(int64_t target, int verbose, std::FILE* out = stdout);
  // Shows progress after `current` steps with the running values.
  void update(int64_t current, const NamedValues& values);
  // Prints the finished line (verbose 1: the full bar; verbose 2: "<n>/<n> - 3s - loss: ...").
  void finish(const NamedValues& values);

  // Formatting pieces, exposed for tests.
  static std::string bar(int64_t current, int64_t target);
  static std::string format_values(const NamedValues& values);
  static std::string format_eta(double seconds);
  static std::string format_step_time(double seconds_per_step);

 private:
  double elapsed() const;
  int64_t target_;
  int verbose_;
  std::FILE* out_;
  bool dynamic_;  // a terminal: redraw with '\r'
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  size_t last_width_ = 0;
  int64_t current_ = 0;  // the last update's step, the total when the target is unknown
};

}  // namespace tapeflow::detail
