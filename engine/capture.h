#pragma once
// Whether this thread is capturing a step into a CUDA graph (tapeflow::Function, engine/function.cpp),
// for the engine code that a capture changes: host-side bookkeeping that each replay must redo, and
// work that a graph cannot hold.
#include <functional>
#include <vector>

namespace tapeflow::capture {

bool active();

// While capturing: throws "not implemented: <what> inside a captured step ...". Otherwise nothing.
void forbid(const char* what);

// On a thread that is not capturing: waits while another thread captures, so that copies it queues (a
// dataset's prefetch_to_device) run as copies instead of joining that thread's graph.
void wait_for_other_captures();

// While capturing: `redo` runs again after each replay of the graph (e.g. the optimizer's iteration
// count, which the replay advances on the device only). Otherwise nothing.
void on_replay(std::function<void()> redo);

// While capturing: the graph is replayed only while `holds` returns true; otherwise the step is captured
// again (e.g. after a new learning rate, which the graph holds as a constant). Otherwise nothing.
void replay_while(std::function<bool()> holds);

// While capturing: `undo` runs if the capture fails, to take back host-side bookkeeping whose device work
// the failed capture never ran. Otherwise nothing.
void on_abort(std::function<void()> undo);

// While alive, this thread is capturing; take_replay_hooks() and take_replay_conditions() hand over what
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
};

}  // namespace tapeflow::capture
