#!/usr/bin/env bash
# make test-asan: the whole test suite built with AddressSanitizer (+ LeakSanitizer) and UndefinedBehaviorSanitizer
# (cmake/sanitizers.cmake) in BUILD_DIR, CPU only, then run by ctest. A finding aborts the process that made it,
# which fails its test; every report is also kept in BUILD_DIR/sanitizer-reports/ and fails this script, so that
# a finding in a program a test runs (the apps, the interop tools) cannot pass unseen.
#   BUILD_DIR=build-asan JOBS=2 CTEST_JOBS=2 VENV=build/venv scripts/test-asan.sh [ctest arguments, e.g. -R idx]
# VENV: the interop tests' Python venv, shared with `make test`'s (made when missing).
set -euo pipefail

BUILD_DIR=${BUILD_DIR:-build-asan}
JOBS=${JOBS:-2}
CTEST_JOBS=${CTEST_JOBS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=$(realpath -m "${VENV:-$BUILD_DIR/venv}")
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell} OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

# -O0 and line tables: the build fits CI's minutes on 2 cores (-O1 compiles ~1.6x slower); the kernels, which the
# suite's training runs spend their time in, keep their own -O3 (kernels/CMakeLists.txt).
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O0 -g1" "${launcher[@]}" \
    -DTAPEFLOW_SANITIZE=ON -DTAPEFLOW_CUDA=OFF -DTAPEFLOW_INTEROP_PYTHON="$VENV/bin/python"
fi
reports=$(cd "$BUILD_DIR" && pwd)/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"

# Leaks are checked at each exit; the build runs the test binaries too (test discovery).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$reports/asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan}

status=0
cmake --build "$BUILD_DIR" -j "$JOBS" && "$ROOT/scripts/make-venv.sh" "$VENV" &&
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$CTEST_JOBS" "$@" || status=$?

found=("$reports"/*)
if [[ -e "${found[0]}" ]]; then
  for report in "${found[@]}"; do echo "== $report" && cat "$report"; done
  echo "test-asan: ${#found[@]} sanitizer report(s) above (kept in $reports)" >&2
  exit 1
fi
exit "$status"
