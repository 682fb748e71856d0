#!/usr/bin/env python3
"""Turns what bench/gpu_check.sh left in its work folder into gpu-check.md (printed too) and gpu-check.json.

Reads: steps.tsv (name, status, seconds, note), machine.tsv, tests/*.json (GoogleTest's JSON output),
train/<framework>-<model>.json (one train_bench / torch_train.py line each), kernel_bench.json (as the
kernel benchmark writes it). Exit status 0 only when every step passed (the dry run: every step it ran).
Standard library only: it runs under the GPU machine's python3.
"""
import argparse
import glob
import json
import os
import sys

FRAMEWORKS = ["tapeflow", "tapeflow-graph", "tapeflow-graph-tf32", "tapeflow-graph-heuristic", "torch-eager", "torch-graphs", "torch-compile"]
MODELS = ["mlp", "cnn", "rnn"]


def read_tsv(path, columns):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [dict(zip(columns, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"{os.path.basename(path)}: {e}"}


def test_results(work):
    """Per test binary: how many GPU tests ran, passed, failed, were skipped; the names of the bad ones."""
    results = {}
    for path in sorted(glob.glob(os.path.join(work, "tests", "*.json"))):
        report = read_json(path)
        counts = {"run": 0, "passed": 0, "failed": 0, "skipped": 0, "bad": []}
        for suite in report.get("testsuites", []):
            for test in suite.get("testsuite", []):
                name = f"{suite['name']}.{test['name']}"
                counts["run"] += 1
                if test.get("failures"):
                    counts["failed"] += 1
                    counts["bad"].append(name + " FAILED")
                elif test.get("result") == "SKIPPED":
                    counts["skipped"] += 1
                    counts["bad"].append(name + " SKIPPED")
                else:
                    counts["passed"] += 1
        results[os.path.basename(path)[:-len(".json")]] = counts
    return results


def train_results(work):
    runs = {}
    for path in glob.glob(os.path.join(work, "train", "*.json")):
        framework, _, model = os.path.basename(path)[:-len(".json")].rpartition("-")
        runs[(framework, model)] = read_json(path)
    return runs


def profile_tables(work, top=12):
    """Per model, train_bench --profile-steps's table cut to its header, its `top` largest rows and its total."""
    tables = {}
    for model in MODELS:
        path = os.path.join(work, "profile", model + ".md")
        if os.path.exists(path):
            with open(path) as f:
                rows = [line for line in f.read().splitlines() if line.startswith("|")]
            tables[model] = rows[:2 + top] + [r for r in rows[2 + top:] if r.startswith("| total")]
    return tables


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def markdown(machine, steps, tests, train, kernel, profiles, dry_run):
    lines = [f"# make gpu-check{' (dry run: no GPU)' if dry_run else ''}", ""]
    lines += [f"GPU: {machine.get('gpu', '?')} · PyTorch: {machine.get('torch', '?')} · bundle: {machine.get('bundle', '?')}", ""]
    if train:
        lines += ["## Training throughput, batch 50 (steps/s; ratios: tapeflow eager, then with its CUDA graph"
                  " (--graph), over PyTorch eager; tapeflow-graph-tf32 adds --tf32, the TF32 math PyTorch's cuDNN"
                  " convolutions use by default; tapeflow-graph-heuristic lets cuDNN's heuristics choose its algorithms"
                  " instead of timing them once per shape, TAPEFLOW_CUDNN_BENCHMARK=0, CNN only)", "",
                  "| model | device | " + " | ".join(FRAMEWORKS) +
                  " | ratio | graph ratio | tapeflow peak GPU MB | tapeflow start→first step s |",
                  "| --- | --- | " + " | ".join("---:" for _ in FRAMEWORKS) + " | ---: | ---: | ---: | ---: |"]
        for model in MODELS:
            row = {f: train.get((f, model), {}) for f in FRAMEWORKS}
            if not any(row.values()):
                continue
            rate = {f: row[f].get("steps_per_s") for f in FRAMEWORKS}
            eager = rate["torch-eager"]
            ratio, graph_ratio = (rate[f] / eager if rate[f] and eager else None for f in ["tapeflow", "tapeflow-graph"])
            device = next((r.get("device") for r in row.values() if r.get("device")), "?")
            lines.append(f"| {model} | {device} | " + " | ".join(fmt(rate[f]) for f in FRAMEWORKS) +
                         f" | {fmt(ratio, 2)} | {fmt(graph_ratio, 2)} | {fmt(row['tapeflow'].get('peak_gpu_mb'))} |"
                         f" {fmt(row['tapeflow'].get('start_to_first_step_s'), 2)} |")
        lines.append("")
    if tests:
        lines += ["## GPU tests (a skip is a failure here)", "", "| binary | run | passed | failed | skipped |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for name, c in tests.items():
            lines.append(f"| {name} | {c['run']} | {c['passed']} | {c['failed']} | {c['skipped']} |")
        bad = [b for c in tests.values() for b in c["bad"]]
        lines += [""] + [f"- {b}" for b in bad[:30]] + ([f"- … and {len(bad) - 30} more"] if len(bad) > 30 else [])
        lines.append("")
    if kernel is not None:
        lines += ["## Kernel benchmark (gpu_kernel_bench --json)", "", kernel_table(kernel), ""]
    if profiles:
        lines += ["## Where an eager training step's GPU time goes (train_bench --profile-steps; self time, idle gaps"
                  " while the host queues included)", ""]
        for model, rows in profiles.items():
            lines += [f"### {model}", ""] + rows + [""]
    lines += ["## Steps", "", "| step | status | seconds | note |", "| --- | --- | ---: | --- |"]
    for s in steps:
        note = s.get("note", "").replace("|", "\\|")
        lines.append(f"| {s['name']} | {s['status']} | {s.get('seconds', '')} | {note} |")
    return "\n".join(lines) + "\n"


def kernel_table(kernel):
    """The kernel benchmark's records as a table: a list of flat objects, or an object holding one."""
    records = kernel
    if isinstance(kernel, dict):
        records = next((v for v in kernel.values() if isinstance(v, list)), [kernel])
    records = [r for r in records if isinstance(r, dict)]
    if not records:
        return "(no records)"
    columns = list(dict.fromkeys(k for r in records for k, v in r.items() if not isinstance(v, (list, dict))))
    cell = lambda v: fmt(v, 3) if isinstance(v, float) else str(v)
    return "\n".join(["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)] +
                     ["| " + " | ".join(cell(r.get(c, "")) for c in columns) + " |" for r in records])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", required=True, help="gpu_check.sh's work folder")
    p.add_argument("--out", required=True, help="where gpu-check.md and gpu-check.json go")
    p.add_argument("--dry-run", action="store_true", help="the dry run's report (no GPU)")
    a = p.parse_args()
    if not os.path.isdir(a.work):
        sys.exit(f"gpu_check_report: --work {a.work} is not a folder")
    machine = {r["key"]: r["value"] for r in read_tsv(os.path.join(a.work, "machine.tsv"), ["key", "value"])}
    steps = read_tsv(os.path.join(a.work, "steps.tsv"), ["name", "status", "seconds", "note"])
    tests, train = test_results(a.work), train_results(a.work)
    kernel_path = os.path.join(a.work, "kernel_bench.json")
    kernel = read_json(kernel_path) if os.path.exists(kernel_path) else None

    # A test binary whose step passed can still have skipped tests: that fails the check.
    for name, c in tests.items():
        if c["skipped"] or c["failed"] or not c["run"]:
            steps.append({"name": f"tests-{name}-no-skips", "status": "fail", "seconds": "0",
                          "note": f"{c['run']} run, {c['failed']} failed, {c['skipped']} skipped"})
    profiles = profile_tables(a.work)
    text = markdown(machine, steps, tests, train, kernel, profiles, a.dry_run)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "gpu-check.md"), "w") as f:
        f.write(text)
    summary = {"machine": machine, "dry_run": a.dry_run, "steps": steps, "tests": tests,
               "train": [dict(r, framework=f, model=m) for (f, m), r in sorted(train.items())], "kernel_bench": kernel,
               "profiles": profiles}
    with open(os.path.join(a.out, "gpu-check.json"), "w") as f:
        json.dump(summary, f, indent=1)
    failed = [s["name"] for s in steps if s["status"] == "fail"]
    not_run = [s["name"] for s in steps if s["status"] == "not run"]
    left_out = [s["name"] for s in steps if s["status"] == "left out"]  # by --only: asked for, so no failure
    print(text)
    print(f"gpu-check: {len(steps) - len(failed) - len(not_run) - len(left_out)} steps passed, {len(failed)} failed"
          f"{' (' + ', '.join(failed) + ')' if failed else ''}, {len(not_run)} not run"
          f"{' (' + ', '.join(not_run) + ')' if not_run else ''}"
          f"{f', {len(left_out)} left out by --only' if left_out else ''}; written to {a.out}")
    sys.exit(1 if failed or (not_run and not a.dry_run) else 0)


if __name__ == "__main__":
    main()
