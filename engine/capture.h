#pragma once
// Whether this thread is capturing a step into a CUDA graph (tapeflow::Function, engine/function.cpp),
// for the engine code that a capture changes: host-side bookkeeping that each replay must redo, and
// work that a graph cannot hold.
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace tapeflow::capture {

bool active();

// While capturing: throws "not implemented: <what> inside a captured step ...". Otherwise nothing.
void forbid(const char* what);

// Held by a thread that is not capturing while it queues work on a device (copies, events: a dataset's
// prefetch_to_device), so that no capture begins meanwhile and the work stays out of other threads'
// graphs; waits while one runs. On the capturing thread it holds nothing.
class QueueingOutsideCaptures {
 public:
  QueueingOutsideCaptures();

 private:
  std::shared_lock<std::shared_mutex> lock_;
};

// While capturing: `redo` runs again after each replay of the graph (e.g. the optimizer's iteration
// count, which the replay advances on the device only). Otherwise nothing.
void on_replay(std::function<void()> redo);

// While capturing: the graph is replayed only while `holds` returns true; otherwise the step is captured
// again (e.g. after a new learning rate, which the graph holds as a constant). Otherwise nothing.
void replay_while(std::function<bool()> holds);

// While capturing: `undo` runs if the capture fails, to take back host-side bookkeeping whose device work
// the failed capture never ran. Otherwise nothing.
void on_abort(std::function<void()> undo);

// While alive, this thread is capturing (the outermost Scope of a thread holds off other threads'
// QueueingOutsideCaptures until it ends); take_replay_hooks() and take_replay_conditions() hand over what
// on_replay and replay_while collected, and abort() runs what on_abort collected, newest first.
class Scope {
 public:
  Scope();
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  std::vector<std::function<void()>> take_replay_hooks();
  std::vector<std::function<bool()>> take_replay_conditions();
  void abort();

 private:
  friend void on_replay(std::function<void()> redo);
  friend void replay_while(std::function<bool()> holds);
  friend void on_abort(std::function<void()> undo);
  std::vector<std::function<void()>> hooks_, undo_;
  std::vector<std::function<bool()>> conditions_;
  Scope* previous_;
  std::unique_lock<std::shared_mutex> queueing_held_off_;
};

}  // namespace tapeflow::capture
