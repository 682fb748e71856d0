#pragma once
// Past `ulimit -f` the kernel sends SIGXFSZ, whose default action kills the process without a word. Ignored, the
// write fails with EFBIG instead, and the checkpoint and event-file writers report that as an error naming the file
// (the previous checkpoint stays intact either way: files are written atomically).
#include <csignal>

namespace tapeflow::apps {

inline void report_file_size_limit_as_error() { std::signal(SIGXFSZ, SIG_IGN); }

}  // namespace tapeflow::apps
