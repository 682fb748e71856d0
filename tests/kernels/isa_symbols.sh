#!/bin/sh
# The per-instruction-set objects of libtapeflow_kernels.a (kernels/cpu/isa_avx512.cpp, isa_avx2.cpp) may define
# no global or weak function but their own entry points (names ending in _avx512 / _avx2). Any other, such as an
# inline helper or a standard template emitted out of line, could be the one copy the linker keeps for the whole
# program, and an AVX-512 copy would stop a CPU without AVX-512 with an illegal instruction.
set -eu
library=$1
for isa in avx512 avx2; do
  symbols=$(nm -A --defined-only "$library" | grep "isa_$isa\.cpp\.o:" || true)
  if ! printf '%s\n' "$symbols" | grep -q "_$isa"'E'; then
    echo "isa_symbols: no entry point of isa_$isa.cpp found in $library" >&2
    exit 1
  fi
  # Global (T) or weak (W) functions, less the entry points.
  others=$(printf '%s\n' "$symbols" | awk -v isa="_$isa" '$2 ~ /^[TW]$/ && index($3, isa "E") == 0')
  if [ -n "$others" ]; then
    echo "isa_symbols: isa_$isa.cpp defines functions other than its entry points:" >&2
    printf '%s\n' "$others" >&2
    exit 1
  fi
done
echo "isa_symbols: the AVX-512 and AVX2 objects define their entry points only"
