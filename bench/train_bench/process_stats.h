#pragma once
// What train_bench reports about its own process, measured the way bench/peers/torch_train.py measures it.

namespace tapeflow::bench {

// Seconds since the kernel started this process (/proc/self/stat's start time against CLOCK_BOOTTIME),
// so dynamic loading and static initialisers count; 10 ms resolution.
double seconds_since_process_start();

// The process's peak resident set size in MiB (getrusage's ru_maxrss).
double peak_rss_mib();

}  // namespace tapeflow::bench
