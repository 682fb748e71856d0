// map: fn applied on the consumer's thread, or on a pool of worker threads that keeps a bounded window
// of elements in flight and hands results back in input order (or as they finish).
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "engine/check.h"
#include "engine/data/nodes.h"
#include "engine/data/user_function.h"

namespace tapeflow::data {

namespace {

using MapFn = std::function<Element(Element)>;

class SerialMapIterator final : public ElementIterator {
 public:
  SerialMapIterator(std::unique_ptr<ElementIterator> input, const MapFn& fn) : input_(std::move(input)), fn_(fn) {}
  std::optional<Element> next() override {
    std::optional<Element> in = input_->next();
    if (!in) return std::nullopt;
    return call_user_function("map", [&] { return fn_(std::move(*in)); });
  }

 private:
  std::unique_ptr<ElementIterator> input_;
  const MapFn& fn_;
};

// Workers take turns pulling from the input (under input_mutex_), run fn unlocked, and file the result
// under its sequence number. At most `window_` elements are taken but not yet consumed.
class ParallelMapIterator final : public ElementIterator {
 public:
  ParallelMapIterator(std::unique_ptr<ElementIterator> input, const MapFn& fn, int64_t threads, bool deterministic)
      : input_(std::move(input)), fn_(fn), window_(2 * threads), deterministic_(deterministic) {
    for (int64_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }

  ~ParallelMapIterator() override {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  std::optional<Element> next() override {
    std::unique_lock lock(mutex_);
    if (failed_) std::rethrow_exception(failed_);
    changed_.wait(lock, [&] { return has_next_result() || (input_done_ && taken_ == 0); });
    if (!has_next_result()) return std::nullopt;
    auto it = deterministic_ ? results_.find(next_seq_) : results_.begin();
    Result r = std::move(it->second);
    results_.erase(it);
    ++next_seq_;
    --taken_;
    changed_.notify_all();
    if (r.error) {
      failed_ = r.error;  // sticky: the pass ends with this error
      std::rethrow_exception(r.error);
    }
    return std::move(r.value);
  }

 private:
  struct Result {
    std::optional<Element> value;
    std::exception_ptr error;
  };

  bool has_next_result() const {
    return deterministic_ ? results_.count(next_seq_) != 0 : !results_.empty();
  }

  void work() {
    while (true) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return cancelled_ || input_done_ || taken_ < window_; });
        if (cancelled_ || input_done_) return;
        ++taken_;
      }
      int64_t seq = 0;
      Result r;
      bool end = false;
      {
        std::lock_guard input_lock(input_mutex_);
        seq = input_seq_++;
        try {
          std::optional<Element> in = input_done_unlocked_ ? std::nullopt : input_->next();
          end = !in.has_value();
          if (in) r.value = std::move(in);
        } catch (...) {
          r.error = std::current_exception();
        }
        input_done_unlocked_ = input_done_unlocked_ || end || r.error;
      }
      if (r.value) {
        try {
          r.value = call_user_function("map", [&] { return fn_(std::move(*r.value)); });
        } catch (...) {
          r.value.reset();
          r.error = std::current_exception();
        }
      }
      std::lock_guard lock(mutex_);
      if (end) {
        --taken_;
        input_done_ = true;
      } else {
        results_.emplace(seq, std::move(r));
        if (results_.at(seq).error) input_done_ = true;  // nothing after an error is read
      }
      changed_.notify_all();
    }
  }

  std::unique_ptr<ElementIterator> input_;
  const MapFn& fn_;
  const int64_t window_;
  const bool deterministic_;

  std::mutex input_mutex_;  // serialises input_->next(); guards the two fields below
  int64_t input_seq_ = 0;
  bool input_done_unlocked_ = false;

  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  std::map<int64_t, Result> results_;
  int64_t next_seq_ = 0;  // the next sequence number to hand out (deterministic order)
  int64_t taken_ = 0;     // elements taken from the input and not yet consumed
  bool input_done_ = false;
  bool cancelled_ = false;
  std::exception_ptr failed_;
  std::vector<std::thread> workers_;
};

class Map final : public DatasetNode {
 public:
  Map(NodePtr input, MapFn fn, int64_t threads, bool deterministic)
      : input_(std::move(input)), fn_(std::move(fn)), threads_(threads), deterministic_(deterministic) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    if (threads_ == 1) return std::make_unique<SerialMapIterator>(input_->make_iterator(), fn_);
    return std::make_unique<ParallelMapIterator>(input_->make_iterator(), fn_, threads_, deterministic_);
  }

 private:
  NodePtr input_;
  MapFn fn_;
  int64_t threads_;
  bool deterministic_;
};

}  // namespace

int64_t autotuned_threads() { return std::max<int64_t>(1, std::thread::hardware_concurrency()); }

NodePtr map_node(NodePtr input, MapFn fn, int64_t num_parallel_calls, bool deterministic) {
  TAPEFLOW_CHECK(fn != nullptr, "Dataset.map: expected a function, found an empty one");
  TAPEFLOW_CHECK(num_parallel_calls > 0 || num_parallel_calls == AUTOTUNE,
                 "Dataset.map: num_parallel_calls must be positive or AUTOTUNE, found {}", num_parallel_calls);
  const int64_t threads = num_parallel_calls == AUTOTUNE ? autotuned_threads() : num_parallel_calls;
  return std::make_shared<Map>(std::move(input), std::move(fn), threads, deterministic);
}

}  // namespace tapeflow::data
