#include "engine/capture.h"

#include <string>

#include "tapeflow/error.h"

namespace tapeflow::capture {

namespace {
thread_local Scope* current = nullptr;

// Exclusive while a thread captures; shared by other threads while they queue device work.
std::shared_mutex& queueing_gate() {
  static std::shared_mutex gate;
  return gate;
}
}  // namespace

bool active() { return current != nullptr; }

void forbid(const char* what) {
  if (current == nullptr) return;
  throw Error(std::string("not implemented: ") + what +
              " inside a captured step (tapeflow::Function on CUDA); move it out of the step, or construct the "
              "Function with {.capture = false}");
}

void on_replay(std::function<void()> redo) {
  if (current != nullptr) current->hooks_.push_back(std::move(redo));
}

void replay_while(std::function<bool()> holds) {
  if (current != nullptr) current->conditions_.push_back(std::move(holds));
}

void on_abort(std::function<void()> undo) {
  if (current != nullptr) current->undo_.push_back(std::move(undo));
}

QueueingOutsideCaptures::QueueingOutsideCaptures() {
  if (current == nullptr) lock_ = std::shared_lock(queueing_gate());
}

Scope::Scope() : previous_(current) {
  if (previous_ == nullptr) queueing_held_off_ = std::unique_lock(queueing_gate());
  current = this;
}

Scope::~Scope() { current = previous_; }  // queueing_held_off_ unlocks after

std::vector<std::function<void()>> Scope::take_replay_hooks() { return std::move(hooks_); }

std::vector<std::function<bool()>> Scope::take_replay_conditions() { return std::move(conditions_); }

void Scope::abort() {
  for (auto undo = undo_.rbegin(); undo != undo_.rend(); ++undo) (*undo)();
  undo_.clear();
}

}  // namespace tapeflow::capture
