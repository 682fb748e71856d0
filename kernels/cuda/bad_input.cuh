#pragma once
// Bad input that kernels find (a label or an index out of range) without a round trip to the host:
// the report stays in the device's memory, and the host's next wait on the device (wait_for_stream)
// reads it and throws. A training step so queues without stopping for each check (and can be captured
// in a CUDA graph), and the error still names what was found, one read later.
#include <cuda_runtime.h>

namespace tapeflow::kernels::cuda {

enum class BadInput : unsigned { kLabel = 0, kIndex = 1, kCount = 2 };

// Per kind: the lowest bad position and its value in one 64-bit word, so that one atomic keeps the
// pair together and the report is the same whatever order threads run in: ~(position << 32 | value),
// kept by atomicMax (0: nothing reported). Positions and values are clamped to 32 bits.
struct BadInputReport {
  unsigned long long lowest[static_cast<unsigned>(BadInput::kCount)];
  long long limit[static_cast<unsigned>(BadInput::kCount)];  // the valid range's end, [0, limit)
};

BadInputReport* bad_input_report(int device);  // the device's report (device memory)

__device__ inline void report_bad_input(BadInputReport* report, BadInput kind, long long position, long long value,
                                        long long limit) {
  const unsigned k = static_cast<unsigned>(kind);
  const unsigned long long p = position < 0xFFFFFFFELL ? static_cast<unsigned long long>(position) : 0xFFFFFFFEull;
  const long long v = value < -0x80000000LL ? -0x80000000LL : value > 0x7FFFFFFFLL ? 0x7FFFFFFFLL : value;
  atomicMax(&report->lowest[k], ~(p << 32 | static_cast<unsigned>(static_cast<int>(v))));
  report->limit[k] = limit;  // the same for every thread of a launch
}

// Waits for everything queued on the device's compute stream, then throws tapeflow::Error if a kernel
// reported bad input (and clears the report, so the device stays usable).
void wait_for_stream(int device);

}  // namespace tapeflow::kernels::cuda
