#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan, only io and what it needs,
# no CUDA, no tests) in BUILD_DIR, runs each for FUZZ_SECONDS from a copy of its seed corpus, prints one
# table row per target, and exits 1 when any target found a crash, a hang, a leak or an over-allocation,
# naming the input that triggers it. Reproduce one with: BUILD_DIR/bin/fuzz_<target> <input>.
#   BUILD_DIR=build-fuzz JOBS=2 FUZZ_SECONDS=60 scripts/fuzz.sh [target...]
set -euo pipefail

BUILD_DIR=${BUILD_DIR:-build-fuzz}
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLANG=${CLANG:-clang++-14}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell} OMP_NUM_THREADS=1

# -O1 and line tables: what libFuzzer recommends, and the build fits CI's minutes on 2 cores. -Wno-pass-failed:
# under the sanitizers' instrumentation clang vectorises few of the kernels' `omp simd` loops and would warn about
# each (~80 lines that say nothing about this build's purpose).
SANITIZE="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER="$CLANG" \
  -DCMAKE_C_COMPILER="${CLANG/clang++/clang}" "${launcher[@]}" -DTAPEFLOW_FUZZ=ON -DTAPEFLOW_CUDA=OFF \
  -DTAPEFLOW_ONEDNN=OFF -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only -Wno-unknown-warning-option -Wno-pass-failed $SANITIZE" >/dev/null

targets=("$@")
if ((${#targets[@]} == 0)); then
  for dir in "$ROOT"/tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]/#/fuzz_}"

# Bad input must never need more than this to be refused; a target past it is a finding.
LIMITS=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# fuzz_one TARGET: runs fuzz_TARGET for FUZZ_SECONDS from a copy of its seeds, leaving its log, grown corpus,
# findings and exit status in BUILD_DIR/fuzz/TARGET/.
fuzz_one() {
  local target=$1 work="$BUILD_DIR/fuzz/$1" status=0
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/findings"
  cp "$ROOT/tests/fuzz/corpus/$target"/* "$work/corpus/"
  echo "== fuzz_$target: ${FUZZ_SECONDS}s from $(ls "$work/corpus" | wc -l) seeds"
  "$BUILD_DIR/bin/fuzz_$target" "${LIMITS[@]}" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
    -artifact_prefix="$work/findings/" "$work/corpus" >"$work/log.txt" 2>&1 || status=$?
  echo "$status" >"$work/status"
}

# One libFuzzer process per core: JOBS targets at a time.
running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if ((running >= JOBS)); then
    wait -n
    running=$((running - 1))
  fi
done
wait

rows=()
failed=0
for target in "${targets[@]}"; do
  work="$BUILD_DIR/fuzz/$target"
  status=$(cat "$work/status")
  # libFuzzer's final stats: stat::number_of_executed_units, stat::average_exec_per_sec, ...
  stat() { awk -v key="stat::$1:" '$1 == key { print $2 }' "$work/log.txt" | tail -1; }
  execs=$(stat number_of_executed_units)
  seconds=$(awk '$1 == "Done" && $3 == "runs" { print $5 }' "$work/log.txt" | tail -1)  # none after a crash
  findings=$(ls "$work/findings" | wc -l)
  corpus=$(ls "$work/corpus" | wc -l)
  corpus_kib=$(find "$work/corpus" -type f -printf '%s\n' | awk '{ bytes += $1 } END { print int(bytes / 1024) }')
  rows+=("$(printf '| %-16s | %7s | %10s | %8s | %6s (%s KiB) | %8s |' "$target" "${seconds:-?}" "${execs:-?}" \
    "$(stat average_exec_per_sec)" "$corpus" "$corpus_kib" "$findings")")
  if ((status != 0 || findings > 0)); then
    failed=1
    echo "fuzz_$target FAILED (exit $status): the last lines of $work/log.txt:"
    tail -n 30 "$work/log.txt"
    for f in "$work/findings"/*; do [[ -e "$f" ]] && echo "  finding: $f (replay: $BUILD_DIR/bin/fuzz_$target $f)"; done
  fi
done

echo
echo "| target           | seconds | executions |   exec/s | corpus (size)      | findings |"
echo "|------------------|---------|------------|----------|--------------------|----------|"
printf '%s\n' "${rows[@]}"
exit "$failed"
