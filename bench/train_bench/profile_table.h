#pragma once
// Where a training step's time goes, from the profiler's spans (tapeflow/profiler.h): each span's self time
// (its duration less that of the spans nested in it on the same row), summed by scope and name. On a GPU the
// device's rows say how long the kernels an op queued took, counting any idle time between them while the
// host was still queueing; on the CPU the host's rows say how long the op ran.
#include <string>
#include <vector>

#include "tapeflow/profiler.h"

namespace tapeflow::bench {

// A markdown table, largest first: per step, each (category, name)'s self time in microseconds and its
// share of the total, then the total. `steps` divides every figure; `device_rows` picks the GPU's rows
// (category "gpu", keyed by the category of the scope that queued the work) or else the host's.
std::string profile_table(const std::vector<profiler::TraceEvent>& events, int steps, bool device_rows);

}  // namespace tapeflow::bench
