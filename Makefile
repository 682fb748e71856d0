# tapeflow's front door. Every target does its own set-up, so `make test` works alone on a fresh clone.
#   make demo | test | build | deps | install PREFIX=... | bench | gpu-check | clean | help

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS ?= 2
CMAKE_ARGS ?=

# Older OpenBLAS builds misbehave on this Zen 5 CPU; pin its kernels (see DESIGN.md). Tests use 2 threads.
export OPENBLAS_CORETYPE ?= Haswell
export OMP_NUM_THREADS   ?= 2

CONFIGURE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
ifneq ($(shell command -v ccache 2>/dev/null),)
  CONFIGURE_FLAGS += -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
                     -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache
endif
ifneq ($(CI),)
  CONFIGURE_FLAGS += -DTAPEFLOW_WERROR=ON
endif

.DEFAULT_GOAL := help
.PHONY: help deps venv configure build test test-asan fuzz demo bench gpu-check install clean

help:
	@echo "tapeflow — make targets:"
	@echo "  make demo       build, then train the notes' CNN on Fashion-MNIST for one epoch (DEMO_FLAGS=...)"
	@echo "  make test       build, then run every test (ctest -j$(CTEST_JOBS))"
	@echo "  make build      install missing Debian packages, configure $(BUILD_DIR)/ (Ninja, $(BUILD_TYPE)) once, build"
	@echo "  make deps       install the missing Debian packages (scripts/install-deps.sh)"
	@echo "  make venv       the interop tests' Python venv in $(BUILD_DIR)/venv (tests/interop/requirements.txt)"
	@echo "  make install    build, then install headers, libraries and the CMake package into PREFIX=$(PREFIX)"
	@echo "  make test-asan  the whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer in $(ASAN_BUILD_DIR)/"
	@echo "  make fuzz       every libFuzzer target for FUZZ_SECONDS=$(FUZZ_SECONDS) s from tests/fuzz/corpus/ (clang)"
	@echo "  make bench      train_bench vs TensorFlow and PyTorch on the CPU (alternating, median of 3, 1 and 2 threads) -> bench/results/"
	@echo "                  (BENCH_FLAGS=--quick: one round of 1-second runs, ~2 minutes, nothing written)"
	@echo "  make gpu-check  the GPU check on the bundle (bench/gpu_check.sh; see bench/README.md)"
	@echo "  make gpu-check DRY_RUN=1   build the bundle in $(GPU_BUILD_DIR)/, check it, run the no-GPU steps, print the run call"
	@echo "  make clean      remove $(BUILD_DIR)/"
	@echo "Variables: BUILD_DIR BUILD_TYPE JOBS CTEST_JOBS PREFIX CMAKE_ARGS (extra configure flags, e.g. -DTAPEFLOW_CUDA=OFF)"

deps:
	@scripts/install-deps.sh

# Configure once; afterwards Ninja re-runs CMake itself when a CMakeLists.txt changes.
configure: deps
	@test -f $(BUILD_DIR)/build.ninja || cmake -S . -B $(BUILD_DIR) $(CONFIGURE_FLAGS) $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The Python tools the interop tests read our files with (TensorBoard, safetensors, Pillow).
venv:
	@scripts/make-venv.sh $(BUILD_DIR)/venv

test: build venv
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(CTEST_JOBS)

# The suite again under ASan + UBSan (CPU only: CUDA code is not instrumented). scripts/test-asan.sh.
ASAN_BUILD_DIR ?= build-asan
test-asan: deps
	BUILD_DIR=$(ASAN_BUILD_DIR) VENV=$(BUILD_DIR)/venv JOBS=$(JOBS) CTEST_JOBS=$(CTEST_JOBS) scripts/test-asan.sh

# libFuzzer on every parser of outside data, each for FUZZ_SECONDS from its seed corpus. scripts/fuzz.sh.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 60
fuzz: deps
	BUILD_DIR=$(FUZZ_BUILD_DIR) JOBS=$(JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

DEMO_FLAGS ?= --model cnn --epochs 1

demo: build
	@echo "== GradientTape example (examples/gradient_example.cpp): d/dw sum((x w)^2) =="
	@$(BUILD_DIR)/bin/gradient_example
	@echo "== The notes' CNN on Fashion-MNIST: train_mnist $(DEMO_FLAGS) =="
	$(BUILD_DIR)/bin/train_mnist $(DEMO_FLAGS)

BENCH_FLAGS ?=
bench: build
	@scripts/install-deps.sh python3-torch
	@scripts/make-venv.sh $(BUILD_DIR)/venv-tf bench/peers/requirements-tf.txt
	/usr/bin/python3 bench/cpu_bench.py --bin $(BUILD_DIR)/bin/train_bench --tf-python $(BUILD_DIR)/venv-tf/bin/python $(BENCH_FLAGS)

# The GPU check (DESIGN.md). DRY_RUN=1 (any machine): build and check the bundle, run every step that needs no
# GPU, print the device tool's call. Without it (the GPU machine): run the check on the carried bundle.
GPU_BUILD_DIR ?= build-gpu
GPU_BUNDLE    := $(GPU_BUILD_DIR)/gpu-bundle.tar.xz
gpu-check:
ifeq ($(DRY_RUN),1)
	@scripts/install-deps.sh
	BUILD_DIR=$(GPU_BUILD_DIR) JOBS=$(JOBS) bench/gpu_bundle.sh
	bench/gpu_check.sh --dry-run --bundle $(GPU_BUNDLE) --out $(GPU_BUILD_DIR)/gpu-check-dry
	@echo "== On a machine with a GPU, make this device-tool call (the bundle is git-ignored, so it is carried):"
	@echo '   run(command="bash bench/gpu_check.sh --out \"$$OUT\"", carry=["$(GPU_BUNDLE)"], timeout_s=450)'
else
	bench/gpu_check.sh --bundle $(GPU_BUNDLE)
endif

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD_DIR)
