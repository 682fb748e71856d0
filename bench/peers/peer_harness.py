"""What every peer script shares with build/bin/train_bench: the workload's constants, the common flags
and their checks, the process-start clock, and the warm-up + timed loop. Framework-free, so a script can
import it before its framework."""
import argparse
import os
import time

BATCH_POOL = 8  # batches drawn once and cycled, as train_bench does
CHAR_RNN_VOCABULARY = 114  # distinct bytes of Debian's fortunes corpus, textgen's default text
CHAR_RNN_SEQ_LENGTH = 40


def seconds_since_process_start():
    """/proc/self/stat's start time against CLOCK_BOOTTIME, as train_bench measures it (10 ms resolution)."""
    with open("/proc/self/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    start = int(fields[22 - 3]) / os.sysconf("SC_CLK_TCK")
    return time.clock_gettime(time.CLOCK_BOOTTIME) - start


def common_parser(description, devices, threads_help):
    """The flags train_bench has; a script adds its own variants."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", choices=["mlp", "cnn", "rnn"], default="mlp")
    p.add_argument("--device", choices=devices, default="cpu")
    p.add_argument("--threads", type=int, default=0, help=threads_help)
    p.add_argument("--batch-size", type=int, help="examples per step (default 50; 1000 with --eval)")
    p.add_argument("--seconds", type=float, default=5.0, help="how long to time steps after the warm-up")
    p.add_argument("--warmup-steps", type=int, default=5, help="untimed steps first (the first one included)")
    p.add_argument("--eval", action="store_true", help="measure inference instead of training; mlp and cnn only")
    p.add_argument("--seed", type=int, default=0)
    return p


def check_common(p, a):
    if a.threads < 0:
        p.error(f"--threads: expected a count >= 0, found {a.threads}")
    if a.batch_size is not None and a.batch_size < 1:
        p.error(f"--batch-size: expected a positive number, found {a.batch_size}")
    if not 0.01 <= a.seconds <= 3600:
        p.error(f"--seconds: expected 0.01 to 3600, found {a.seconds}")
    if a.warmup_steps < 1:
        p.error(f"--warmup-steps: expected a positive number, found {a.warmup_steps}")
    if a.eval and a.model == "rnn":
        p.error("--eval measures the MNIST models' inference: expected --model mlp or cnn, found rnn")


def time_steps(step, warmup_steps, seconds, sync=lambda: None):
    """Runs step() warmup_steps times, then for `seconds`; returns (steps, elapsed, last result,
    start_to_first_step_s)."""
    step()
    sync()
    start_to_first_step = seconds_since_process_start()
    for _ in range(warmup_steps - 1):
        step()
    sync()
    steps = 0
    start = time.perf_counter()
    while steps == 0 or time.perf_counter() - start < seconds:
        last = step()
        steps += 1
    sync()
    return steps, time.perf_counter() - start, last, start_to_first_step
