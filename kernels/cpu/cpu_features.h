#pragma once
// What this CPU can run, for kernels compiled once per instruction set (kernels/cpu/isa_*.cpp).

namespace tapeflow::kernels::cpu {

// AVX-512 (F, BW, CD, DQ and VL: x86-64-v4): the 16-lane builds; else the 8-lane AVX2 builds (x86-64-v3, the
// whole library's baseline).
bool cpu_has_avx512();

// The AVX-512 build of a kernel where this CPU has AVX-512, else its AVX2 build.
template <class Kernel> Kernel widest_build(Kernel avx512, Kernel avx2) { return cpu_has_avx512() ? avx512 : avx2; }

// The widest vectors any build uses, in floats: scratch sized for them fits both.
constexpr int kWidestLanes = 16;

}  // namespace tapeflow::kernels::cpu
