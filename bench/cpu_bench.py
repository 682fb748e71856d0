#!/usr/bin/env python3
"""`make bench`: tapeflow's train_bench against TensorFlow (bench/peers/tf_train.py) and PyTorch
(bench/peers/torch_train.py) on this machine's CPU.

For each model (training at batch 50; inference at batch 1000 for mlp/cnn) and thread count, runs them in
alternation (tapeflow, TF, PyTorch, ..., --pairs rounds), takes each one's median steps/s, and prints a
markdown table (tapeflow, TF, PyTorch, ratio to the best peer, peak RSS, start to first step) that it also
writes to bench/results/cpu-<date>.md with the machine's description. The peers run at their best: PyTorch
with OpenBLAS's OpenMP build and glibc told to keep its memory (torch_train.py does that itself); TF's
tf.function step in every round, plus its eager loop and model.fit once each — its best variant counts.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = [("mlp", "train"), ("cnn", "train"), ("rnn", "train"), ("mlp", "eval"), ("cnn", "eval")]


def measure(cmd, timeout):
    """One run: the JSON line it prints, or an error string naming the command and its last words."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout} s: {' '.join(cmd)}"
    if p.returncode != 0:
        return f"exit status {p.returncode}: {' '.join(cmd)}: {(p.stderr.strip().splitlines() or [''])[-1]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def median_of(runs, key):
    values = [r[key] for r in runs if isinstance(r, dict) and r.get(key) is not None]
    return statistics.median(values) if values else None


def module_version(python, module):
    """The module's __version__ as `python` imports it, or None when it cannot."""
    p = subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def machine_description(python, torch_version):
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    return (f"{model}, {os.cpu_count()} CPUs, {platform.platform()}; OPENBLAS_CORETYPE="
            f"{os.environ.get('OPENBLAS_CORETYPE', 'unset')}; PyTorch {torch_version} ({python}); "
            f"load average at start {load}")


def round_ratios(ours, *peers):
    """tapeflow / the best peer within each round: runs seconds apart share the machine's load of the moment."""
    ratios = []
    for runs in zip(ours, *peers):
        rates = [r.get("steps_per_s") if isinstance(r, dict) else None for r in runs]
        best_peer = max([v for v in rates[1:] if v] or [None])
        if rates[0] and best_peer:
            ratios.append(rates[0] / best_peer)
    return ratios


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def spread(values):
    return f"{min(values):.2f}–{max(values):.2f}" if values else "—"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default="build/bin/train_bench", help="the train_bench to measure")
    p.add_argument("--python", default="/usr/bin/python3", help="the python3 with PyTorch (Debian's python3-torch)")
    p.add_argument("--tf-python", help="the python3 with tensorflow-cpu (make bench builds build/venv-tf); none: no TF")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--pairs", type=int, default=3, help="A B pairs per workload and thread count")
    p.add_argument("--seconds", type=float, default=3.0, help="timed seconds per run")
    p.add_argument("--quick", action="store_true",
                   help="1 round of 1-second runs, TF's tf.function step only (a smoke test, not a result)")
    p.add_argument("--out", default=os.path.join(HERE, "results"), help="folder for cpu-<date>.md")
    a = p.parse_args()
    if a.quick:
        a.pairs, a.seconds = 1, 1.0
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"cpu_bench: no train_bench at {a.bin} (build it: make build)")
    threads = [int(t) for t in a.threads.split(",")]
    # A peer that cannot start would only show as failed runs after the whole benchmark: say so now.
    torch_version = module_version(a.python, "torch")
    if torch_version is None:
        sys.exit(f"cpu_bench: {a.python} cannot import torch (install Debian's python3-torch; make bench does)")
    if a.tf_python and module_version(a.tf_python, "tensorflow") is None:
        sys.exit(f"cpu_bench: {a.tf_python} cannot import tensorflow (make bench installs it into build/venv-tf)")
    machine = machine_description(a.python, torch_version)
    print(f"cpu_bench: {machine}", file=sys.stderr)

    rows = []
    for model, mode in WORKLOADS:
        for n in threads:
            flags = ["--model", model, "--device", "cpu", "--threads", str(n), "--seconds", str(a.seconds)]
            flags += ["--eval"] if mode == "eval" else []
            timeout = a.seconds * 10 + 180
            tf_cmd = [a.tf_python, os.path.join(HERE, "peers", "tf_train.py")] + flags if a.tf_python else None
            ours, peer, tf_runs, tf_other = [], [], [], []
            for round_ in range(a.pairs):
                ours.append(measure([a.bin] + flags, timeout))
                if tf_cmd:
                    tf_runs.append(measure(tf_cmd + ["--variant", "function"], timeout))
                    if round_ == 0 and mode == "train" and not a.quick:
                        tf_other += [measure(tf_cmd + ["--variant", v], timeout) for v in ("eager", "fit")]
                peer.append(measure([a.python, os.path.join(HERE, "peers", "torch_train.py")] + flags, timeout))
            errors = [r for r in ours + peer + tf_runs + tf_other if isinstance(r, str)]
            for e in errors:
                print(f"cpu_bench: {e}", file=sys.stderr)
            t, q = median_of(ours, "steps_per_s"), median_of(peer, "steps_per_s")
            tf_best = max([v for v in [median_of(tf_runs, "steps_per_s")] + [median_of([r], "steps_per_s")
                                                                             for r in tf_other] if v] or [None])
            best_peer = max([v for v in (q, tf_best) if v] or [None])
            rows.append({"model": model, "mode": mode, "threads": n, "tapeflow": t, "tf": tf_best, "pytorch": q,
                         "ratio": t / best_peer if t and best_peer else None,
                         "round_ratios": round_ratios(ours, tf_runs or [None] * len(ours), peer),
                         "rss": (median_of(ours, "peak_rss_mb"), median_of(tf_runs, "peak_rss_mb"),
                                 median_of(peer, "peak_rss_mb")),
                         "start": (median_of(ours, "start_to_first_step_s"),
                                   median_of(tf_runs, "start_to_first_step_s"),
                                   median_of(peer, "start_to_first_step_s")),
                         "errors": len(errors)})
            print(f"cpu_bench: {model} {mode} {n} thread(s): tapeflow {fmt(t)}, TF {fmt(tf_best)}, "
                  f"PyTorch {fmt(q)} steps/s", file=sys.stderr)

    date = datetime.date.today().isoformat()
    lines = [f"# train_bench vs TensorFlow and PyTorch on the CPU — {date}", "", f"Machine: {machine}.", "",
             f"`make bench`: {a.pairs} alternating rounds (tapeflow, TF tf.function, PyTorch) of {a.seconds:g}-second "
             "runs per row, median steps/s; TF's eager loop and model.fit once each, its best variant shown. "
             "Training at batch 50 (Adam 1e-3), inference at batch 1000. Synthetic data of the notes' shapes. "
             "Ratio: tapeflow / the best peer; per round: the lowest and highest of the same ratio taken within each "
             "round (TF tf.function and PyTorch only), which shows how much the machine's load moved it.", "",
             "| model | mode | threads | tapeflow steps/s | TF steps/s | PyTorch steps/s | ratio | ratio per round | "
             "peak RSS MB (tapeflow / TF / torch) | start→first step s (tapeflow / TF / torch) | failed runs |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['mode']} | {r['threads']} | {fmt(r['tapeflow'])} | {fmt(r['tf'])} | "
                     f"{fmt(r['pytorch'])} | {fmt(r['ratio'], 2)} | {spread(r['round_ratios'])} | "
                     f"{' / '.join(fmt(v, 0) for v in r['rss'])} | {' / '.join(fmt(v, 2) for v in r['start'])} | "
                     f"{r['errors']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not a.quick:
        os.makedirs(a.out, exist_ok=True)
        path = os.path.join(a.out, f"cpu-{date}.md")
        with open(path, "w") as f:
            f.write(text)
        print(f"cpu_bench: written to {path}", file=sys.stderr)
    sys.exit(1 if any(r["errors"] for r in rows) else 0)


if __name__ == "__main__":
    main()
