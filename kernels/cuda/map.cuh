#pragma once
// out[i] = f(in_0[i], in_1[i], ...) over n elements: the vectorized grid-stride loop that the
// elementwise, cast and fill kernels share. Zero inputs (a fill) work too.
#include <algorithm>

#include "kernels/cuda/launch.cuh"

namespace tapeflow::kernels::cuda {

template <int N, class F, class Out, class... In>
__device__ __forceinline__ void apply_pack(const F& f, Pack<Out, N>& out, const Pack<In, N>&... in) {
#pragma unroll
  for (int k = 0; k < N; ++k) out.v[k] = f(in.v[k]...);
}

// Each thread maps whole N-element packs (one 16-byte load per operand when N is the pack width);
// the last n % N elements go to the first threads of the grid.
template <int N, class F, class Out, class... In>
__global__ void map_kernel(int64_t n, F f, Out* out, const In*... in) {
  const int64_t packs = n / N;
  for (int64_t p = global_thread(); p < packs; p += grid_threads()) {
    Pack<Out, N> o;
    apply_pack<N>(f, o, reinterpret_cast<const Pack<In, N>*>(in)[p]...);
    reinterpret_cast<Pack<Out, N>*>(out)[p] = o;
  }
  const int64_t tail = packs * N + global_thread();
  if (N > 1 && tail < n) out[tail] = f(in[tail]...);
}

// Elements per 16-byte pack of the widest operand.
template <class Out, class... In>
constexpr int pack_width() {
  return static_cast<int>(16 / std::max({sizeof(Out), sizeof(In)...}));
}

// Launches map_kernel on `device`'s stream: packed when every pointer is aligned to its pack
// (tensors are, unless they are views at an odd offset), element by element otherwise.
template <class F, class Out, class... In>
void launch_map(int device, int64_t n, F f, Out* out, const In*... in) {
  if (n == 0) return;
  constexpr int kN = pack_width<Out, In...>();
  const cudaStream_t stream = stream_for(device);
  if (aligned_to(out, kN * sizeof(Out)) && (aligned_to(in, kN * sizeof(In)) && ...)) {
    map_kernel<kN><<<grid_for(device, n / kN + 1), kThreads, 0, stream>>>(n, f, out, in...);
  } else {
    map_kernel<1><<<grid_for(device, n), kThreads, 0, stream>>>(n, f, out, in...);
  }
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

}  // namespace tapeflow::kernels::cuda
