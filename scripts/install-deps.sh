#!/usr/bin/env bash
# Installs the Debian 12 packages tapeflow needs (build, CPU backend, IO, tests, data) that are missing,
# plus any packages named as arguments (make bench: python3-torch, the PyTorch peer).
# Idempotent and silent when everything is already installed. Runs as root (CI) without sudo;
# as another user it uses sudo when that exists.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config   # toolchain (CMake >= 3.25, g++ 12)
  libopenblas-openmp-dev                                # GEMM, OpenMP build (not the pthread one)
  libdnnl-dev                                           # oneDNN: AVX-512 conv2d on the CPU (TAPEFLOW_ONEDNN)
  libfmt-dev libcli11-dev nlohmann-json3-dev            # formatting, flags, safetensors header
  libgtest-dev libgmock-dev libbenchmark-dev            # tests and benchmarks
  libprotobuf-dev protobuf-compiler                     # tf.train.Example / TensorBoard Event messages
  libturbojpeg0-dev libpng-dev zlib1g-dev               # image codecs, gzip
  dataset-fashion-mnist                                 # the default data set of train_mnist
  fortunes                                              # the default text corpus of textgen (~2.6 MB)
  python3-venv                                          # interop tests and peer benchmarks
  clang                                                 # make fuzz: clang 14 with libFuzzer (scripts/fuzz.sh)
)
PACKAGES+=("$@")

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install-deps: apt-get not found; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "install-deps: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
