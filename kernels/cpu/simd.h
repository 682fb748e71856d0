#pragma once
// GCC's vector extensions, for kernels written once and compiled once per instruction set (AVX-512 and AVX2;
// kernels/CMakeLists.txt gives those files their -march), the width picked at run time (kernels/cpu/cpu_features.h).
// Everything here has internal linkage, so the AVX-512 and AVX2 instantiations never meet: include this only
// from the per-instruction-set files and the *_impl.h headers they include.
#include <cstdint>
#include <cstring>
#include <immintrin.h>
#include <utility>

namespace tapeflow::kernels::cpu {

namespace {

// Vectors of L floats (an alias template drops vector_size, so each width is spelled out).
template <int L> struct VectorOf;
template <> struct VectorOf<8> {
  typedef float type __attribute__((vector_size(32)));
  typedef float unaligned __attribute__((vector_size(32), aligned(4), may_alias));
};
template <> struct VectorOf<16> {
  typedef float type __attribute__((vector_size(64)));
  typedef float unaligned __attribute__((vector_size(64), aligned(4), may_alias));
};
template <int L> using Vec = typename VectorOf<L>::type;
template <int L> using UnalignedVec = typename VectorOf<L>::unaligned;

// {x, x, ..., x}: one broadcast (a lane-by-lane loop compiles to L masked ones).
template <int L> Vec<L> splat(float x) {
  return [x]<size_t... I>(std::index_sequence<I...>) { return Vec<L>{(static_cast<void>(I), x)...}; }(
      std::make_index_sequence<L>{});
}
// Loads and stores of min(n, L) floats; the lanes past n read as 0 and are not written. A whole vector moves
// through an unaligned vector type, which keeps it in a register (a memcpy makes GCC spill accumulators).
template <int L> Vec<L> load(const float* p, int64_t n = L) {
  if (n >= L) return *reinterpret_cast<const UnalignedVec<L>*>(p);
  Vec<L> v{};
  std::memcpy(&v, p, sizeof(float) * n);
  return v;
}
template <int L> void store(float* p, Vec<L> v, int64_t n = L) {
  if (n >= L)
    *reinterpret_cast<UnalignedVec<L>*>(p) = v;
  else
    std::memcpy(p, &v, sizeof(float) * n);
}
// Outputs at least this large are written with non-temporal stores: they go to memory without first reading
// each cache line for ownership (one pass over memory instead of two), and without evicting what the next op
// reads. Smaller outputs are written through the cache, where the next op finds them. On this project's Xeon a
// 100 MB output takes 12-15 ms through the cache and 5 ms streamed.
constexpr int64_t kStreamingBytes = int64_t{16} << 20;

// Whether `floats` floats written as whole vectors of L from `out`, every vector at a multiple of `step` floats
// (a multiple of L), are worth streaming and aligned for it.
template <int L> bool worth_streaming(const float* out, int64_t floats, int64_t step) {
  return floats * int64_t{sizeof(float)} >= kStreamingBytes && step % L == 0 &&
         reinterpret_cast<uintptr_t>(out) % sizeof(Vec<L>) == 0;
}
// A non-temporal store of a whole vector at an address aligned to its size. The stores become visible to other
// threads only after stream_fence().
template <int L> void store_streaming(float* p, Vec<L> v) {
  if constexpr (L == 16)
    _mm512_stream_ps(p, v);
  else
    _mm256_stream_ps(p, v);
}
inline void stream_fence() { _mm_sfence(); }

// p[0 .. n) = 0. Not std::fill_n: a standard template instantiated in an instruction set's file may be emitted
// out of line (clang's sanitizer builds do), and the linker may then keep that copy for the whole program, AVX-512
// code included (tests/kernels/isa_symbols.sh checks the objects).
inline void fill_zeros(float* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) p[i] = 0.f;
}

// max(v, 0) lane by lane; NaN stays NaN, as std::max(x, 0.f).
template <int L> Vec<L> relu_vector(Vec<L> v) { return v < 0 ? Vec<L>{} : v; }

// Register tiles of accumulators for the FMA loops: kAccumulators vectors, as NV column vectors by
// kAccumulators / NV rows (with AVX-512: 6 x 4 zmm for 64 columns, 12 x 2 for 32; with AVX2: 6 x 2 ymm, 12 x 1),
// which leaves registers for the operands. Fewer rows per column vector would leave the loads of the
// broadcasts, not the FMAs, the bottleneck.
template <int L> constexpr int kAccumulators = L == 16 ? 24 : 12;
template <int L> constexpr int kMaxVectors = L == 16 ? 4 : 2;
template <int L, int NV> constexpr int kTileRows = kAccumulators<L> / NV;

}  // namespace
}  // namespace tapeflow::kernels::cpu
