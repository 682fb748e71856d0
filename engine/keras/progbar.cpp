#include "engine/keras/progbar.h"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

namespace tapeflow::detail {

namespace {
constexpr int kBarWidth = 30;
constexpr double kRedrawSeconds = 0.05;  // Keras redraws at most every 50 ms
}  // namespace

ProgressBar::ProgressBar(int64_t target, int verbose, std::FILE* out)
    : target_(target),
      verbose_(verbose),
      out_(out),
      dynamic_(isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::bar(int64_t current, int64_t target) {
  const int digits = target > 0 ? static_cast<int>(std::floor(std::log10(double(target)))) + 1 : 1;
  std::string s = fmt::format("{:>{}}/{} [", current, digits, target);
  const int filled = target > 0 ? static_cast<int>(kBarWidth * double(current) / double(target)) : kBarWidth;
  if (filled > 0) {
    s += std::string(filled - 1, '=');
    s += current < target ? '>' : '=';
  }
  s += std::string(kBarWidth - filled, '.');
  return s + "]";
}

std::string ProgressBar::format_values(const NamedValues& values) {
  std::string s;
  for (const auto& [name, value] : values)
    s += std::abs(value) > 1e-3 ? fmt::format(" - {}: {:.4f}", name, value) : fmt::format(" - {}: {:.4e}", name, value);
  return s;
}

std::string ProgressBar::format_eta(double seconds) {
  const int64_t t = static_cast<int64_t>(seconds);
  if (t > 3600) return fmt::format("{}:{:02}:{:02}", t / 3600, (t % 3600) / 60, t % 60);
  if (t > 60) return fmt::format("{}:{:02}", t / 60, t % 60);
  return fmt::format("{}s", t);
}

std::string ProgressBar::format_step_time(double seconds_per_step) {
  if (seconds_per_step >= 1) return fmt::format("{:.0f}s/step", seconds_per_step);
  if (seconds_per_step >= 1e-3) return fmt::format("{:.0f}ms/step", seconds_per_step * 1e3);
  return fmt::format("{:.0f}us/step", seconds_per_step * 1e6);
}

void ProgressBar::update(int64_t current, const NamedValues& values) {
  current_ = current;
  if (verbose_ != 1 || !dynamic_) return;
  const auto now = std::chrono::steady_clock::now();
  if (current < target_ && std::chrono::duration<double>(now - last_draw_).count() < kRedrawSeconds) return;
  last_draw_ = now;
  const double per_step = current > 0 ? elapsed() / double(current) : 0;
  std::string line = target_ < 0 ? fmt::format("{}/Unknown - {:.0f}s", current, elapsed()) + format_values(values)
                                 : bar(current, target_) + " - ETA: " + format_eta(per_step * double(target_ - current)) +
                                       format_values(values);
  const size_t width = line.size();
  if (width < last_width_) line += std::string(last_width_ - width, ' ');  // erase the longer previous line
  last_width_ = width;
  std::fprintf(out_, "\r%s", line.c_str());
  std::fflush(out_);
}

void ProgressBar::finish(const NamedValues& values) {
  if (verbose_ == 0) return;
  if (target_ < 0) target_ = current_;  // the epoch has ended: its length is known now
  const double total = elapsed();
  const std::string timing = fmt::format(" - {:.0f}s {}", total, format_step_time(total / double(std::max<int64_t>(target_, 1))));
  std::string line = verbose_ == 1 ? bar(target_, target_) + timing + format_values(values)
                                   : fmt::format("{}/{}{}", target_, target_, timing) + format_values(values);
  if (dynamic_ && verbose_ == 1 && line.size() < last_width_) line += std::string(last_width_ - line.size(), ' ');
  std::fprintf(out_, "%s%s\n", dynamic_ && verbose_ == 1 ? "\r" : "", line.c_str());
  std::fflush(out_);
}

}  // namespace tapeflow::detail
