// prefetch: a background thread runs the input ahead of the consumer, up to buffer_size elements.
// prefetch_to_device: the same thread also copies each numeric tensor into pinned host memory and
// queues its copy to the device, so the transfer overlaps the consumer's work too.
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "engine/check.h"
#include "engine/data/nodes.h"
#include "tapeflow/runtime.h"

namespace tapeflow::data {

namespace {

// AUTOTUNE's buffer: one element ready while the consumer works on another; more only costs memory
// once the producer keeps up.
constexpr int64_t kAutotunedBuffer = 2;

Element to_device(Element e, Device device) {
  for (Tensor& t : e.tensors()) {
    if (!t.device().is_cpu() || t.dtype() == DType::kString) continue;  // strings live on the CPU
    Tensor pinned = pinned_empty(t.shape(), t.dtype());
    std::memcpy(pinned.raw_data(), t.raw_data(), t.nbytes());
    t = pinned.to(device);
  }
  return e;
}

class PrefetchIterator final : public ElementIterator {
 public:
  PrefetchIterator(std::unique_ptr<ElementIterator> input, int64_t buffer_size, std::optional<Device> device)
      : input_(std::move(input)), buffer_size_(buffer_size), device_(device), producer_([this] { produce(); }) {}

  ~PrefetchIterator() override {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
    producer_.join();
  }

  std::optional<Element> next() override {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !buffer_.empty() || done_; });
    if (buffer_.empty()) {
      if (error_) std::rethrow_exception(error_);  // sticky: every later call throws it too
      return std::nullopt;
    }
    Element e = std::move(buffer_.front());
    buffer_.pop_front();
    changed_.notify_all();
    return e;
  }

 private:
  void produce() {
    try {
      while (true) {
        {
          std::unique_lock lock(mutex_);
          changed_.wait(lock, [&] { return cancelled_ || static_cast<int64_t>(buffer_.size()) < buffer_size_; });
          if (cancelled_) break;
        }
        std::optional<Element> e = input_->next();
        if (!e) break;
        if (device_) e = to_device(std::move(*e), *device_);
        std::lock_guard lock(mutex_);
        buffer_.push_back(std::move(*e));
        changed_.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    done_ = true;
    changed_.notify_all();
  }

  std::unique_ptr<ElementIterator> input_;
  const int64_t buffer_size_;
  const std::optional<Device> device_;
  std::mutex mutex_;  // guards everything below but the thread
  std::condition_variable changed_;
  std::deque<Element> buffer_;
  bool done_ = false;       // the producer has stopped (end, error or cancel)
  bool cancelled_ = false;  // the consumer is going away
  std::exception_ptr error_;
  std::thread producer_;  // declared last: it starts in the constructor and uses every field above
};

class Prefetch final : public DatasetNode {
 public:
  Prefetch(NodePtr input, int64_t buffer_size, std::optional<Device> device)
      : input_(std::move(input)), buffer_size_(buffer_size), device_(device) {}
  int64_t cardinality() const override { return input_->cardinality(); }
  std::unique_ptr<ElementIterator> make_iterator() const override {
    return std::make_unique<PrefetchIterator>(input_->make_iterator(), buffer_size_, device_);
  }

 private:
  NodePtr input_;
  int64_t buffer_size_;
  std::optional<Device> device_;  // unset (or the CPU): no copies
};

}  // namespace

std::unique_ptr<ElementIterator> prefetch_iterator(std::unique_ptr<ElementIterator> input, int64_t buffer_size) {
  return std::make_unique<PrefetchIterator>(std::move(input), buffer_size, std::nullopt);
}

NodePtr prefetch_node(NodePtr input, int64_t buffer_size, std::optional<Device> device) {
  const char* name = device ? "prefetch_to_device" : "prefetch";
  TAPEFLOW_CHECK(buffer_size > 0 || buffer_size == AUTOTUNE, "Dataset.{}: buffer_size must be positive or AUTOTUNE, found {}",
                 name, buffer_size);
  if (device && device->is_cpu()) device.reset();
  return std::make_shared<Prefetch>(std::move(input), buffer_size == AUTOTUNE ? kAutotunedBuffer : buffer_size, device);
}

}  // namespace tapeflow::data
