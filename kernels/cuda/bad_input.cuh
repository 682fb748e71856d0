#pragma once
// Bad input that kernels find (a label or an index out of range) without a round trip to the host:
// the report stays in the device's memory, and the host's next wait on the device (wait_for_stream)
// reads it and throws. A training step so queues without stopping for each check (and can be captured
// in a CUDA graph), and the error still names what was found, one read later.
#include <cuda_runtime.h>

#include "kernels/bad_input_word.h"

namespace tapeflow::kernels::cuda {

enum class BadInput : unsigned { kLabel = 0, kIndex = 1, kCount = 2 };

// Per kind, the first launch to report owns the slot until the host reads it, and its lowest bad
// position and that position's value share one 64-bit word (kernels/bad_input_word.h), kept by
// atomicMax, so that the report is the same whatever order threads run in (0: nothing reported).
struct BadInputReport {
  unsigned long long owner[static_cast<unsigned>(BadInput::kCount)];  // the owning launch's token (0: none)
  unsigned long long lowest[static_cast<unsigned>(BadInput::kCount)];
  long long limit[static_cast<unsigned>(BadInput::kCount)];  // the owning launch's valid range, [0, limit)
};

// What a checking kernel takes: the device's report and a token of its own launch.
struct BadInputSink {
  BadInputReport* report;
  unsigned long long launch;  // never 0
};
BadInputSink bad_input_sink(int device);

__device__ inline void report_bad_input(BadInputSink sink, BadInput kind, long long position, long long value,
                                        long long limit) {
  const unsigned k = static_cast<unsigned>(kind);
  const unsigned long long owner = atomicCAS(&sink.report->owner[k], 0ull, sink.launch);
  if (owner != 0 && owner != sink.launch) return;  // an earlier launch's report is waiting to be read
  atomicMax(&sink.report->lowest[k], pack_bad_input(position, value));
  sink.report->limit[k] = limit;  // the same for every thread of the owning launch
}

// Waits for everything queued on the device's compute stream, then throws tapeflow::Error if a kernel
// reported bad input (and clears the report, so the device stays usable).
void wait_for_stream(int device);

}  // namespace tapeflow::kernels::cuda
