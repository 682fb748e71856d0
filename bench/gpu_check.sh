#!/usr/bin/env bash
# The one-command GPU check (DESIGN.md, "The GPU check"; issue 5). Runs on a bare GPU machine from the
# repository root, on the prebuilt bundle that bench/gpu_bundle.sh made (and the device tool carried):
#   1. environment: the GPU, PyTorch, and where cuBLAS/cuDNN live (toolkit folder or nvidia-* wheels);
#   2. every GPU test of the bundle's test binaries (names matching *Cuda*/*CUDA*/*Gpu*/*GPU*): a skip fails;
#   3. training throughput at batch 50, tapeflow (eager, and its steps captured in a CUDA graph) vs PyTorch
#      eager, for the MLP, CNN and char-RNN;
#   4. the kernel benchmark (gpu_kernel_bench: SGEMM vs cuBLAS, conv vs cuDNN, copy bandwidth), and where
#      each model's eager step spends its GPU time (train_bench --profile-steps);
#   5. PyTorch with CUDA graphs; 6. compute-sanitizer memcheck over three CNN training steps (allocator
#      switched to plain cudaMalloc); 7. PyTorch with torch.compile, as far as the time budget allows.
# The order puts what the issues measure first and the slow, open-ended steps (sanitizer, compiler) last.
# Each step has its own timeout and the whole run a budget; a failing step is reported and the run goes on.
# Writes gpu-check.md (the table, also printed last), gpu-check.json and gpu-check-logs.tar.gz under --out.
# --dry-run (no GPU): unpacks the bundle and runs what needs no GPU; the GPU steps print what they would run.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<EOF
usage: bench/gpu_check.sh [--bundle FILE] [--out DIR] [--budget SECONDS] [--seconds S] [--only STEPS] [--dry-run]
  --bundle FILE     the bundle made by bench/gpu_bundle.sh (default: build-gpu/gpu-bundle.tar.xz)
  --out DIR         where gpu-check.md, gpu-check.json and gpu-check-logs.tar.gz go (default: \$OUT, else
                    build-gpu/gpu-check)
  --budget SECONDS  wall-clock budget of all steps together (default: 380); steps past it are not run
  --seconds S       timed seconds per throughput measurement (default: 4)
  --only STEPS      run only the steps whose names match one of these comma-separated shell patterns, e.g.
                    'tests-engine_tests,kernel-bench' to recheck a kernel change (the rest: "left out")
  --dry-run         run only what needs no GPU; print the GPU steps instead of running them
EOF
}

BUNDLE=build-gpu/gpu-bundle.tar.xz
OUT_DIR=${OUT:-build-gpu/gpu-check}
BUDGET=380
SECONDS_PER_RUN=4
DRY_RUN=0
ONLY=
while (($#)); do
  case "$1" in
    --bundle) BUNDLE=${2:?--bundle needs a file}; shift 2 ;;
    --out) OUT_DIR=${2:?--out needs a folder}; shift 2 ;;
    --budget) BUDGET=${2:?--budget needs seconds}; shift 2 ;;
    --seconds) SECONDS_PER_RUN=${2:?--seconds needs a number}; shift 2 ;;
    --only) ONLY=${2:?--only needs step patterns}; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gpu_check: unknown argument '$1' (expected --bundle, --out, --budget, --seconds, --only or --dry-run)" >&2
       usage >&2; exit 2 ;;
  esac
done
[[ "$BUDGET" =~ ^[0-9]+$ ]] || { echo "gpu_check: --budget expects whole seconds, found '$BUDGET'" >&2; exit 2; }
[[ "$SECONDS_PER_RUN" =~ ^[0-9]+([.][0-9]+)?$ ]] ||
  { echo "gpu_check: --seconds expects a positive number, found '$SECONDS_PER_RUN'" >&2; exit 2; }
[[ -f "$BUNDLE" ]] || { echo "gpu_check: no bundle at $BUNDLE (make it with: make gpu-check DRY_RUN=1)" >&2; exit 2; }

PYTHON=${PYTHON:-python3}
# The interpreter for the PyTorch peer: $PYTHON (the GPU machine's python3 holds torch), else Debian's.
TORCH_PYTHON=$PYTHON
"$PYTHON" -c 'import torch' 2>/dev/null || { [[ -x /usr/bin/python3 ]] && TORCH_PYTHON=/usr/bin/python3; }
WORK=$(mktemp -d /tmp/gpu-check.XXXXXX)
STEPS=$WORK/steps.tsv  # name, status (pass|fail|not run), seconds, note
mkdir -p "$OUT_DIR" "$WORK/logs" "$WORK/tests" "$WORK/train" "$WORK/profile"
: >"$STEPS"
START=$(date +%s)

log() { printf '[gpu-check %3ds] %s\n' $(($(date +%s) - START)) "$*"; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$STEPS"; log "$1: $2${4:+ ($4)}"; }
time_left() { echo $((BUDGET - ($(date +%s) - START))); }
# Whether step NAME is one --only asks for (all are, without it).
wanted() {
  [[ -z "$ONLY" ]] && return 0
  local pattern patterns
  IFS=, read -ra patterns <<<"$ONLY"
  for pattern in "${patterns[@]}"; do
    # shellcheck disable=SC2053  # the pattern is a glob on purpose
    [[ "$1" == $pattern ]] && return 0
  done
  return 1
}

# step NAME TIMEOUT COMMAND...: runs COMMAND with the smaller of TIMEOUT and the budget left, stdout in
# logs/NAME.out, stderr in logs/NAME.err; records pass, fail (exit status or timeout, last error line), "not
# run" (out of budget) or "left out" (--only). gpu_step is the same for a step that needs a GPU: in the dry run it only says what it would run.
step() {
  local name=$1 limit=$2; shift 2
  if ! wanted "$name"; then record "$name" "left out" 0 "not asked for (--only)"; return 1; fi
  local left; left=$(time_left)
  ((left < limit)) && limit=$left
  if ((limit < 5)); then record "$name" "not run" 0 "out of time budget"; return 1; fi
  local t0=$SECONDS rc
  timeout --kill-after=10 "$limit" "$@" >"$WORK/logs/$name.out" 2>"$WORK/logs/$name.err"
  rc=$?
  local took=$((SECONDS - t0)) last
  last=$(tail -n 1 "$WORK/logs/$name.err"; true)
  [[ -n "$last" ]] || last=$(tail -n 1 "$WORK/logs/$name.out")
  if ((rc == 0)); then record "$name" pass "$took" ""
  elif ((rc == 124 || rc == 137)); then record "$name" fail "$took" "timed out after ${limit}s"
  else record "$name" fail "$took" "exit status $rc: $(tr '\t' ' ' <<<"$last" | cut -c1-240)"
  fi
  return $rc
}
gpu_step() {
  if ((DRY_RUN)) && wanted "$1"; then log "$1: would run (timeout ${2}s): ${*:3}"; return 1; fi
  step "$@"
}

# --- 1. the bundle and the machine ---------------------------------------------------------------------
BIN=$WORK/bundle/bin
mkdir -p "$WORK/bundle"
if ! "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$BUNDLE" "$WORK/bundle"; then
  echo "gpu_check: cannot unpack $BUNDLE" >&2; exit 2
fi
log "bundle $BUNDLE: $(cat "$WORK/bundle/MANIFEST" 2>/dev/null | head -n 1)"

# cuBLAS/cuDNN and friends: the folders that hold the sonames the binaries need (bundle's NEEDED file),
# searched in the CUDA toolkit and the Python nvidia-* wheels.
lib_dirs() {
  local roots=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib /usr/lib/x86_64-linux-gnu)
  local wheels
  wheels=$("$PYTHON" -c 'import nvidia, os; print("\n".join(os.path.realpath(p) for p in nvidia.__path__))' 2>/dev/null)
  local soname dir found missing=()
  for soname in $(grep -E '^lib(cublas|cublasLt|cudnn|nvrtc|nvJitLink)' "$WORK/bundle/NEEDED" 2>/dev/null); do
    found=$(find "${roots[@]}" $wheels -name "$soname" 2>/dev/null | head -n 1)
    if [[ -n "$found" ]]; then dirname "$found"; else missing+=("$soname"); fi
  done
  ((${#missing[@]})) && echo "MISSING ${missing[*]}"
}
LIBS=$(lib_dirs | sort -u)
if grep -q '^MISSING' <<<"$LIBS"; then
  record libraries fail 0 "not found in the CUDA toolkit or the nvidia-* wheels: $(grep '^MISSING' <<<"$LIBS" | cut -d' ' -f2-)"
else
  record libraries pass 0 "${LIBS//$'\n'/:}"
fi
LIBS=$(grep -v '^MISSING' <<<"$LIBS" | paste -sd: -)
export LD_LIBRARY_PATH=${LIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}
GPU_NAME=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)
TORCH=$("$TORCH_PYTHON" -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "no-cuda")' 2>/dev/null)
log "GPU: ${GPU_NAME:-none}; PyTorch: ${TORCH:-not importable}"
printf 'gpu\t%s\ntorch\t%s\nbundle\t%s\n' "${GPU_NAME:-none}" "${TORCH:-none}" \
  "$(head -n 1 "$WORK/bundle/MANIFEST" 2>/dev/null)" >"$WORK/machine.tsv"

# The bundle's binaries must start on this machine at all (a CPU step, so the dry run checks it too).
step bundle-starts 60 "$BIN/train_bench" --model mlp --device cpu --threads 2 --seconds 0.5 &&
  ((DRY_RUN)) && cp "$WORK/logs/bundle-starts.out" "$WORK/train/tapeflow-mlp.json"
step bundle-graph-flag 60 "$BIN/train_bench" --model mlp --device cpu --threads 2 --seconds 0.5 --graph &&
  ((DRY_RUN)) && cp "$WORK/logs/bundle-graph-flag.out" "$WORK/train/tapeflow-graph-mlp.json"

# --- 2. GPU tests: no skips -----------------------------------------------------------------------------
GPU_FILTER='*Cuda*:*CUDA*:*Gpu*:*GPU*'
gpu_tests=0
for test_bin in "$BIN"/*_tests; do
  [[ -x "$test_bin" ]] || continue
  name=$(basename "$test_bin")
  count=$("$test_bin" --gtest_list_tests --gtest_filter="$GPU_FILTER" 2>/dev/null | grep -c '^  ')
  gpu_tests=$((gpu_tests + count))
  ((count == 0)) && continue
  gpu_step "tests-$name" 150 "$test_bin" --gtest_filter="$GPU_FILTER" --gtest_output="json:$WORK/tests/$name.json"
  # Again with cuDNN's heuristics choosing the algorithms (TAPEFLOW_CUDNN_BENCHMARK=0) instead of timing them
  # once per shape, the default: both settings must pass.
  TAPEFLOW_CUDNN_BENCHMARK=0 gpu_step "tests-$name-cudnn-heuristic" 150 "$test_bin" --gtest_filter="$GPU_FILTER" \
    --gtest_output="json:$WORK/tests/$name-cudnn-heuristic.json"
done
((gpu_tests == 0)) && record gpu-tests fail 0 "no test named *Cuda*/*CUDA*/*Gpu*/*GPU* in the bundle's test binaries"
((DRY_RUN)) && record gpu-tests-listed pass 0 "$gpu_tests GPU tests in $(ls "$BIN"/*_tests | wc -l) test binaries"

# --- 3. training throughput: tapeflow vs PyTorch eager, alternating ----------------------------------------
# train_run FRAMEWORK MODEL [extra peer flags...]: one measurement into train/FRAMEWORK-MODEL.json.
train_run() {
  local framework=$1 model=$2; shift 2
  local cmd=("$BIN/train_bench" "$@")
  [[ "$framework" == tapeflow* ]] || cmd=("$TORCH_PYTHON" bench/peers/torch_train.py "$@")
  gpu_step "train-$framework-$model" 120 "${cmd[@]}" --model "$model" --device cuda --threads 4 --batch-size 50 \
    --seconds "$SECONDS_PER_RUN" && tail -n 1 "$WORK/logs/train-$framework-$model.out" >"$WORK/train/$framework-$model.json"
}
for model in mlp cnn rnn; do
  train_run tapeflow "$model"
  train_run tapeflow-graph "$model" --graph --warmup-steps 5
  train_run tapeflow-graph-tf32 "$model" --graph --tf32 --warmup-steps 5
  [[ "$model" == cnn ]] && TAPEFLOW_CUDNN_BENCHMARK=0 train_run tapeflow-graph-heuristic cnn --graph --warmup-steps 5
  train_run torch-eager "$model"
done

# --- 4. kernel benchmark -------------------------------------------------------------------------------------
if [[ -x "$BIN/gpu_kernel_bench" ]]; then
  gpu_step kernel-bench 120 "$BIN/gpu_kernel_bench" --json "$WORK/kernel_bench.json"
else
  record kernel-bench "not run" 0 "gpu_kernel_bench is not in the bundle (not built yet)"
fi

# Where each eager step's GPU time goes: per op and layer, the device time of the kernels it queued.
for model in mlp cnn rnn; do
  gpu_step "profile-$model" 60 "$BIN/train_bench" --model "$model" --device cuda --threads 4 --seconds 0.5 \
    --profile-steps 20 && cp "$WORK/logs/profile-$model.err" "$WORK/profile/$model.md"
done

# --- 5. PyTorch at its best: CUDA graphs --------------------------------------------------------------------
for model in mlp cnn rnn; do train_run torch-graphs "$model" --cuda-graphs; done

# --- 6. memcheck over a short CNN training run -----------------------------------------------------------
SANITIZER=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || echo compute-sanitizer)
TAPEFLOW_CUDA_ALLOCATOR=cudaMalloc gpu_step memcheck-cnn 150 "$SANITIZER" --tool memcheck --error-exitcode 1 \
  "$BIN/train_bench" --model cnn --device cuda --warmup-steps 2 --seconds 0.01

# --- 7. PyTorch with torch.compile (its first step compiles, which can take a minute) -------------------------
for model in mlp cnn rnn; do train_run torch-compile "$model" --compile; done

# --- the profile table, in the dry run only: the bundle's --profile-steps on the CPU (the report shows it) -----
if ((DRY_RUN)); then
  step profile-cpu 60 "$BIN/train_bench" --model mlp --device cpu --threads 2 --seconds 0.2 --profile-steps 3 &&
    cp "$WORK/logs/profile-cpu.err" "$WORK/profile/mlp.md"
fi

# --- the peer's CPU side, in the dry run only: proves torch_train.py runs (its JSON feeds the dry report) -----
if ((DRY_RUN)); then
  if [[ -n "$TORCH" ]]; then
    step torch-peer-cpu 60 "$TORCH_PYTHON" bench/peers/torch_train.py --model mlp --device cpu --threads 2 --seconds 0.5 &&
      cp "$WORK/logs/torch-peer-cpu.out" "$WORK/train/torch-eager-mlp.json"
  else
    record torch-peer-cpu "not run" 0 "no python3 with torch here (the GPU machine's python3 has it)"
  fi
fi

# --- report ----------------------------------------------------------------------------------------------------
"$PYTHON" bench/gpu_check_report.py --work "$WORK" --out "$OUT_DIR" $( ((DRY_RUN)) && echo --dry-run)
report_rc=$?
tar -czf "$OUT_DIR/gpu-check-logs.tar.gz" -C "$WORK" logs tests train profile steps.tsv machine.tsv \
  $( [[ -f "$WORK/kernel_bench.json" ]] && echo kernel_bench.json) 2>/dev/null
rm -rf "$WORK"
exit $report_rc
