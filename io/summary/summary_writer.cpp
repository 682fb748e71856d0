// SummaryWriter's file and background thread: writes queue events, one thread appends them to the
// event file, flushing on request, every flush_millis, and on close.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "engine/check.h"
#include "io/summary/event_encoding.h"
#include "io/summary/summary_values.h"
#include "io/unix_time.h"
#include "tapeflow/io/atomic_file.h"
#include "tapeflow/io/tfrecord_writer.h"
#include "tapeflow/summary/summary.h"

namespace tapeflow::summary {

namespace {

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
}

std::filesystem::path event_file_name(const std::filesystem::path& logdir, const std::string& suffix) {
  static std::atomic<int> writers_in_process{0};
  return logdir / fmt::format("events.out.tfevents.{:010d}.{}.{}.{}{}", static_cast<int64_t>(io::unix_seconds()),
                              host_name(), ::getpid(), writers_in_process++, suffix);
}

thread_local std::vector<SummaryWriter*> default_writers;

}  // namespace

struct SummaryWriter::Impl {
  Impl(const std::filesystem::path& logdir, const FileWriterOptions& options)
      : options(options), file(event_file_name(logdir, options.filename_suffix)) {
    TAPEFLOW_CHECK(options.max_queue > 0 && options.flush_millis > 0,
                   "create_file_writer: max_queue and flush_millis must be positive, found {} and {}",
                   options.max_queue, options.flush_millis);
    file.write(detail::file_version_event(io::unix_seconds()));
    file.flush();  // as TF does: the file is valid and discoverable at once
    thread = std::thread([this] { run(); });
  }

  void enqueue(std::string event) {
    std::unique_lock lock(mutex);
    throw_if_failed();
    TAPEFLOW_CHECK(!closing, "SummaryWriter {}: write after close", file.path().string());
    if (queue.size() >= static_cast<size_t>(options.max_queue)) work.notify_one();
    space.wait(lock, [&] { return queue.size() < static_cast<size_t>(options.max_queue) || !error.empty(); });
    throw_if_failed();
    queue.push_back(std::move(event));
    // Waking the writer per event costs the training thread a context switch each time; it wakes for a
    // batch, a flush, close, or every flush_millis.
    if (queue.size() % kWakeBatch == 0) work.notify_one();
  }

  static constexpr size_t kWakeBatch = 64;

  void flush() {
    std::unique_lock lock(mutex);
    const uint64_t ticket = ++flush_requested;
    work.notify_one();
    flushed_cv.wait(lock, [&] { return flush_done >= ticket || !error.empty() || finished; });
    throw_if_failed();
  }

  // Idempotent; after a write error the thread has already stopped and only needs joining.
  void close() {
    {
      std::lock_guard lock(mutex);
      closing = true;
      work.notify_one();
    }
    if (thread.joinable()) thread.join();
    std::lock_guard lock(mutex);
    throw_if_failed();
  }

  void throw_if_failed() const {
    if (!error.empty()) throw Error(error);
  }

  // The writer thread: drain, write outside the lock, flush when asked or when flush_millis passed.
  void run() {
    auto last_flush = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex);
    while (true) {
      work.wait_for(lock, std::chrono::milliseconds(options.flush_millis),
                    [&] { return !queue.empty() || closing || flush_requested > flush_done; });
      std::deque<std::string> batch;
      batch.swap(queue);
      const uint64_t flush_ticket = flush_requested;
      const bool stop = closing;
      space.notify_all();
      lock.unlock();
      try {
        for (const std::string& event : batch) file.write(event);
        const bool due = std::chrono::steady_clock::now() - last_flush >= std::chrono::milliseconds(options.flush_millis);
        if (stop) {
          file.close();
        } else if (due || flush_ticket > flush_done) {
          file.flush();
          last_flush = std::chrono::steady_clock::now();
        }
      } catch (const Error& e) {
        lock.lock();
        error = e.what();
        break;
      }
      lock.lock();
      flush_done = flush_ticket;
      flushed_cv.notify_all();
      if (stop) break;
    }
    finished = true;
    flushed_cv.notify_all();
    space.notify_all();
  }

  FileWriterOptions options;
  io::TFRecordWriter file;
  std::mutex mutex;
  std::condition_variable work, space, flushed_cv;
  std::deque<std::string> queue;
  uint64_t flush_requested = 0, flush_done = 0;
  bool closing = false, finished = false;
  std::string error;
  std::thread thread;
};

SummaryWriter::SummaryWriter(const std::filesystem::path& logdir, const FileWriterOptions& options)
    : impl_(std::make_unique<Impl>(logdir, options)) {}

SummaryWriter::~SummaryWriter() {
  try {
    impl_->close();
  } catch (const Error&) {  // NOLINT(bugprone-empty-catch): reported by close() to those who call it
  }
}

void SummaryWriter::flush() { impl_->flush(); }
void SummaryWriter::close() { impl_->close(); }
const std::filesystem::path& SummaryWriter::path() const { return impl_->file.path(); }

void SummaryWriter::scalar(const std::string& name, double value, int64_t step) {
  impl_->enqueue(detail::scalar_event(io::unix_seconds(), step, name, static_cast<float>(value)));
}

void SummaryWriter::scalar(const std::string& name, const Tensor& value, int64_t step) {
  scalar(name, detail::scalar_value(name, value), step);
}

void SummaryWriter::image(const std::string& name, const Tensor& images, int64_t step, int max_outputs) {
  const detail::EncodedImages encoded = detail::encode_images(name, images, max_outputs);
  impl_->enqueue(detail::image_event(io::unix_seconds(), step, name, encoded.width, encoded.height, encoded.pngs));
}

void SummaryWriter::histogram(const std::string& name, const Tensor& values, int64_t step, int buckets) {
  impl_->enqueue(detail::histogram_event(io::unix_seconds(), step, name, detail::histogram_buckets(name, values, buckets)));
}

void SummaryWriter::text(const std::string& name, const std::string& text, int64_t step) {
  impl_->enqueue(detail::text_event(io::unix_seconds(), step, name, text));
}

SummaryWriter::DefaultScope::DefaultScope(std::shared_ptr<SummaryWriter> writer) : writer_(std::move(writer)) {
  default_writers.push_back(writer_.get());
}

SummaryWriter::DefaultScope::~DefaultScope() { default_writers.pop_back(); }

std::shared_ptr<SummaryWriter> create_file_writer(const std::filesystem::path& logdir, FileWriterOptions options) {
  io::create_directories(logdir, "create_file_writer");
  return std::make_shared<SummaryWriter>(logdir, options);
}

SummaryWriter* default_writer() { return default_writers.empty() ? nullptr : default_writers.back(); }

namespace {

template <class Write> bool with_default(Write write) {
  SummaryWriter* writer = default_writer();
  if (writer == nullptr) return false;
  write(*writer);
  return true;
}

}  // namespace

bool scalar(const std::string& name, double value, int64_t step) {
  return with_default([&](SummaryWriter& w) { w.scalar(name, value, step); });
}
bool scalar(const std::string& name, const Tensor& value, int64_t step) {
  return with_default([&](SummaryWriter& w) { w.scalar(name, value, step); });
}
bool image(const std::string& name, const Tensor& images, int64_t step, int max_outputs) {
  return with_default([&](SummaryWriter& w) { w.image(name, images, step, max_outputs); });
}
bool histogram(const std::string& name, const Tensor& values, int64_t step, int buckets) {
  return with_default([&](SummaryWriter& w) { w.histogram(name, values, step, buckets); });
}
bool text(const std::string& name, const std::string& text, int64_t step) {
  return with_default([&](SummaryWriter& w) { w.text(name, text, step); });
}

void flush() {
  if (SummaryWriter* writer = default_writer()) writer->flush();
}

}  // namespace tapeflow::summary
