#!/usr/bin/env bash
# CTest's gpu-check-dry: the GPU check's no-GPU self-checks, fast and without building the static bundle.
# Packs a bundle of this build's own train_bench and test binaries (dynamically linked: fine on this
# machine), then checks that gpu_check.sh rejects a bad flag, and that its dry run unpacks the bundle, runs
# the CPU steps (the bundle's train_bench, the GPU-test listing, the PyTorch peer where torch is installed)
# and writes its report, and that --only runs just the steps it names. Usage: bench/gpu_check_selftest.sh BIN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir=${1:?usage: bench/gpu_check_selftest.sh BIN_DIR (the build folder bin/ with train_bench and *_tests)}
work=$(mktemp -d /tmp/gpu-check-selftest.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/stage/bin"
cp "$bin_dir/train_bench" "$bin_dir"/engine_tests "$work/stage/bin/"
echo "selftest bundle from $bin_dir" >"$work/stage/MANIFEST"
: >"$work/stage/NEEDED"
tar -C "$work/stage" -cf "$work/bundle.tar" MANIFEST NEEDED bin

if bench/gpu_check.sh --bundle "$work/bundle.tar" --no-such-flag >/dev/null 2>&1; then
  echo "selftest: gpu_check.sh accepted an unknown flag" >&2; exit 1
fi
bench/gpu_check.sh --dry-run --budget 120 --bundle "$work/bundle.tar" --out "$work/out"
for f in gpu-check.md gpu-check.json gpu-check-logs.tar.gz; do
  [[ -s "$work/out/$f" ]] || { echo "selftest: the dry run wrote no $f" >&2; exit 1; }
done
grep -q '^| bundle-starts | pass |' "$work/out/gpu-check.md" ||
  { echo "selftest: the bundle's train_bench did not run in the dry run" >&2; exit 1; }
grep -q '^| bundle-graph-flag | pass |' "$work/out/gpu-check.md" ||
  { echo "selftest: the bundle's train_bench --graph did not run in the dry run" >&2; exit 1; }
grep -q '^| total | |' "$work/out/gpu-check.md" ||
  { echo "selftest: the report shows no profile table (train_bench --profile-steps)" >&2; exit 1; }
grep -q '^| mlp | cpu |' "$work/out/gpu-check.md" ||
  { echo "selftest: the report has no throughput row from the dry run's CPU measurements" >&2; exit 1; }
bench/gpu_check.sh --dry-run --budget 120 --only 'bundle-graph*' --bundle "$work/bundle.tar" --out "$work/only" \
  >/dev/null
grep -q '^| bundle-graph-flag | pass |' "$work/only/gpu-check.md" && grep -q '^| bundle-starts | left out |' \
  "$work/only/gpu-check.md" || { echo "selftest: --only 'bundle-graph*' did not run just that step" >&2; exit 1; }
echo "selftest: gpu_check.sh dry run ok"
