#!/usr/bin/env bash
# Builds what `make gpu-check` carries to a bare GPU machine: the test binaries, train_mnist, train_bench and
# gpu_kernel_bench built for sm_90 with Debian's libraries linked statically (-DTAPEFLOW_STATIC_BUNDLE=ON,
# cmake/static_bundle.cmake), stripped and packed into one xz tarball, then checks it:
#   - size <= 60 MiB (the device tool carries at most 64 MiB with the working tree);
#   - self-contained: every binary needs only glibc, libstdc++/libgcc, the CUDA driver and cuBLAS/cuDNN
#     (which the GPU machine has; opened on first GPU use); any other shared library fails the check;
#   - every binary with CUDA code carries sm_90 machine code.
# The bundle holds bin/, NEEDED (the CUDA sonames gpu_check.sh must find there) and MANIFEST.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build-gpu}
BUNDLE=$BUILD_DIR/gpu-bundle.tar.xz
MAX_BYTES=$((60 * 1024 * 1024))
# The only shared libraries a bundled binary may need: glibc's, GCC's runtime, and CUDA's own.
ALLOWED='^(linux-vdso|ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libcuda|libcublas|libcublasLt|libcudnn[a-z_]*|libnvrtc[a-z-]*|libnvJitLink)\.so'
# apps_tests is left out: it finds the apps through this build folder's absolute path.
TARGETS=(train_bench train_mnist gpu_kernel_bench engine_tests models_tests io_tests)  # CUDA builds have them all

configure_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DTAPEFLOW_STATIC_BUNDLE=ON -DCMAKE_CUDA_ARCHITECTURES=90
                 -DTAPEFLOW_BUILD_TESTS=ON -DTAPEFLOW_ONEDNN=OFF)  # Debian ships oneDNN only as a shared library
command -v ccache >/dev/null &&
  configure_flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
# Always (re)configure: an existing folder keeps its cache, and the flags above must win over it.
cmake -S . -B "$BUILD_DIR" "${configure_flags[@]}" >/dev/null
grep -q '^CMAKE_CUDA_COMPILER:[A-Z]*=/' "$BUILD_DIR/CMakeCache.txt" ||
  { echo "gpu_bundle: $BUILD_DIR has no CUDA compiler: the bundle needs nvcc (CUDA 13)" >&2; exit 1; }
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target "${TARGETS[@]}"

stage=$BUILD_DIR/gpu-bundle
rm -rf "$stage" && mkdir -p "$stage/bin"
for t in "${TARGETS[@]}"; do strip -o "$stage/bin/$t" "$BUILD_DIR/bin/$t"; done

status=0
for bin in "$stage"/bin/*; do
  while read -r lib; do
    [[ "$lib" =~ $ALLOWED ]] || { echo "gpu_bundle: $(basename "$bin") needs $lib, which the GPU machine lacks" >&2; status=1; }
  done < <(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if ldd "$bin" | grep -q 'not found'; then
    echo "gpu_bundle: $(basename "$bin"): unresolved here: $(ldd "$bin" | grep 'not found' | tr -s ' \t\n' ' ')" >&2; status=1
  fi
  # Each embedded cubin's tool note records nvcc's "-arch sm_NN" (cuobjdump is not installed here).
  if readelf -S "$bin" | grep -q '\.nv_fatbin' && ! grep -a -q -- '-arch sm_90' "$bin"; then
    echo "gpu_bundle: $(basename "$bin") has CUDA code but no sm_90 machine code" >&2; status=1
  fi
done
# NEEDED also lists cuBLAS and cuDNN, which the binaries open on first GPU use (kernels/cuda/dynamic_library.cuh):
# their sonames are strings in the binaries, not NEEDED entries, yet gpu_check.sh must find their folders.
{
  readelf -d "$stage"/bin/* | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
  grep -ahoE 'lib(cublas|cudnn)\.so\.[0-9]+' "$stage"/bin/*
} | sort -u >"$stage/NEEDED"
echo "tapeflow $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!build*' || echo +changes), built $(date -u +%FT%TZ) on $(hostname)" >"$stage/MANIFEST"
(cd "$stage" && ls -l bin) >>"$stage/MANIFEST"

# One xz stream with a large dictionary: the binaries share most of their bytes (OpenBLAS, CUDA runtime).
tar -C "$stage" -cf - MANIFEST NEEDED bin | xz -T1 -9 --lzma2=dict=256MiB >"$BUNDLE.tmp"
mv "$BUNDLE.tmp" "$BUNDLE"
bytes=$(stat -c %s "$BUNDLE")
echo "gpu_bundle: $BUNDLE: $((bytes / 1024 / 1024)) MiB ($(du -sh "$stage/bin" | cut -f1) unpacked), ${#TARGETS[@]} binaries: ${TARGETS[*]}"
echo "gpu_bundle: shared libraries needed: $(paste -sd' ' "$stage/NEEDED")"
if ((bytes > MAX_BYTES)); then
  echo "gpu_bundle: the bundle is over 60 MiB: the device tool could not carry it" >&2; status=1
fi
((status == 0)) && echo "gpu_bundle: self-contained (only glibc, GCC runtime, CUDA driver, cuBLAS/cuDNN), sm_90: ok"
exit $status
