#pragma once
// tf.summary: TensorBoard event files written on a background thread (a training step never waits for
// the disk), with TF2's tensor summaries for scalars, images, histograms and text.
//
//   auto writer = tf::summary::create_file_writer("./tensorboard");
//   { auto scope = writer->as_default();
//     tf::summary::scalar("loss", loss, batch_index); }
//
// Then `tensorboard --logdir ./tensorboard`.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "tapeflow/tensor.h"

namespace tapeflow::summary {

struct FileWriterOptions {
  int max_queue = 1024;                // events waiting for the writer thread before a write blocks
  int flush_millis = 120'000;          // events reach the file at least this often (TF's default)
  std::string filename_suffix = ".v2";
};

class SummaryWriter : public std::enable_shared_from_this<SummaryWriter> {
 public:
  // Use create_file_writer.
  SummaryWriter(const std::filesystem::path& logdir, const FileWriterOptions& options);
  ~SummaryWriter();  // flushes and closes; errors are lost here, so call close() to see them
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  void scalar(const std::string& name, double value, int64_t step);
  void scalar(const std::string& name, const Tensor& value, int64_t step);  // a one-element tensor
  // `images`: [k, h, w, c] (or [h, w, c]) uint8, or float in [0, 1]; c = 1 (gray), 2, 3 (RGB) or 4.
  // The first max_outputs images are PNG-encoded.
  void image(const std::string& name, const Tensor& images, int64_t step, int max_outputs = 3);
  // `buckets` equal-width buckets over [min, max] of the values, as TF2's histogram summary.
  void histogram(const std::string& name, const Tensor& values, int64_t step, int buckets = 30);
  void text(const std::string& name, const std::string& text, int64_t step);

  // Blocks until everything written so far is in the file. A write error of the background thread
  // (a full disk) is thrown here, from the next write, or from close().
  void flush();
  void close();

  // Makes this writer the one the free functions write to on this thread, until the scope ends.
  class DefaultScope {
   public:
    explicit DefaultScope(std::shared_ptr<SummaryWriter> writer);
    ~DefaultScope();
    DefaultScope(const DefaultScope&) = delete;
    DefaultScope& operator=(const DefaultScope&) = delete;

   private:
    std::shared_ptr<SummaryWriter> writer_;
  };
  [[nodiscard]] DefaultScope as_default() { return DefaultScope(shared_from_this()); }

  const std::filesystem::path& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Creates `logdir` if needed and a new event file in it, named like TF's:
// events.out.tfevents.<unix time>.<host>.<pid>.<n><suffix>.
std::shared_ptr<SummaryWriter> create_file_writer(const std::filesystem::path& logdir, FileWriterOptions options = {});

// The default writer of this thread (set by as_default), or null.
SummaryWriter* default_writer();

// Write to the default writer; like TF they write nothing and return false when there is none.
bool scalar(const std::string& name, double value, int64_t step);
bool scalar(const std::string& name, const Tensor& value, int64_t step);
bool image(const std::string& name, const Tensor& images, int64_t step, int max_outputs = 3);
bool histogram(const std::string& name, const Tensor& values, int64_t step, int buckets = 30);
bool text(const std::string& name, const std::string& text, int64_t step);
// tf.summary.flush: flushes the default writer (if any).
void flush();

// tf.summary.trace_on / trace_export: records every layer call, backward op and optimizer update from
// now on; trace_export stops, writes a Chrome trace (Perfetto, chrome://tracing) to
// <profiler_outdir>/plugins/profile/<time>/<host>.trace.json, names it in a text summary `name` of the
// default writer, and returns its path.
void trace_on(bool profiler = true);
std::filesystem::path trace_export(const std::string& name, int64_t step, const std::filesystem::path& profiler_outdir);

}  // namespace tapeflow::summary
