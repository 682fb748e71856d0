#include "engine/capture.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "tapeflow/error.h"

namespace tapeflow::capture {

namespace {
thread_local Scope* current = nullptr;

// Scopes alive on all threads, for wait_for_other_captures.
std::atomic<int> open_scopes{0};
std::mutex scopes_mutex;
std::condition_variable scopes_closed;
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

void wait_for_other_captures() {
  if (current != nullptr || open_scopes.load(std::memory_order_acquire) == 0) return;
  std::unique_lock lock(scopes_mutex);
  scopes_closed.wait(lock, [] { return open_scopes.load(std::memory_order_acquire) == 0; });
}

Scope::Scope() : previous_(current) {
  current = this;
  std::lock_guard lock(scopes_mutex);
  open_scopes.fetch_add(1, std::memory_order_release);
}

Scope::~Scope() {
  current = previous_;
  {
    std::lock_guard lock(scopes_mutex);
    open_scopes.fetch_sub(1, std::memory_order_release);
  }
  scopes_closed.notify_all();
}

std::vector<std::function<void()>> Scope::take_replay_hooks() { return std::move(hooks_); }

std::vector<std::function<bool()>> Scope::take_replay_conditions() { return std::move(conditions_); }

void Scope::abort() {
  for (auto undo = undo_.rbegin(); undo != undo_.rend(); ++undo) (*undo)();
  undo_.clear();
}

}  // namespace tapeflow::capture
