// kernel_bench: GFLOP/s of the CPU GEMM (OpenBLAS, oneDNN's dnnl_sgemm, and kernels::cpu::matmul, the one
// tapeflow runs) at the notes' models' shapes, and of the production conv2d passes at the CNN's shapes, with
// the machine's peak beside them ("%peak": of the FMA peak measured at start-up on as many threads). Arguments
// end in the thread count. See bench/README.md.
//   OPENBLAS_CORETYPE=Haswell build/bin/kernel_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/matmul.h"
#include "kernels/pool.h"
#ifdef TAPEFLOW_BENCH_ONEDNN
#include <dnnl.h>
#endif

namespace {

namespace kc = tapeflow::kernels::cpu;

void set_threads(int threads) {
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

std::vector<float> filled(size_t size, float scale = 0.01f) {
  std::vector<float> v(size);
  for (size_t i = 0; i < size; ++i) v[i] = scale * static_cast<float>(static_cast<int>(i * 2654435761u % 201) - 100);
  return v;
}

// ---- peak: 12 independent chains of 16-wide FMAs per thread (two FMA ports x FMA latency 4-6 cycles) ----
__attribute__((target("avx512f"))) float fma_chains(int64_t rounds) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  // Fully unrolled so that the 12 chains live in registers: a rolled loop keeps acc[] on the stack, and the
  // store-to-load forwarding on every step then caps it near a third of the real peak.
  for (int64_t r = 0; r < rounds; ++r)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];  // not _mm512_reduce_add_ps: GCC 12 warns inside it (-Wuninitialized)
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

constexpr int64_t kPeakRounds = 1 << 20;

float fma_chains_on(int threads) {
  float sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  sink += fma_chains(kPeakRounds);
  return sink;
}
double peak_flops(int threads) { return double(threads) * kPeakRounds * 12 * 16 * 2; }

// The peak GFLOP/s on 1 and 2 threads, the best of many short runs at start-up: each case's "%peak" divides
// by it. On a shared machine a 2-thread run is fast only when no other process holds either core for its few
// milliseconds; with 5 runs a load of 2 left the 2-thread peak at half its real value.
double measured_peak_gflops(int threads) {
  static const auto peaks = [] {
    std::array<double, 3> best{};
    for (int t : {1, 2})
      for (int run = 0; run < 50; ++run) {
        const auto start = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(fma_chains_on(t));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best[t] = std::max(best[t], peak_flops(t) * 1e-9 / seconds);
      }
    return best;
  }();
  return peaks.at(threads);
}

// GFLOP/s and the share of the measured peak on `threads` threads.
void report_flops(benchmark::State& state, double flops_per_iteration, int threads) {
  const double gflop = flops_per_iteration * 1e-9 * static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] = benchmark::Counter(gflop, benchmark::Counter::kIsRate);
  state.counters["%peak"] =
      benchmark::Counter(100 * gflop / measured_peak_gflops(threads), benchmark::Counter::kIsRate);
}

void BM_PeakAvx512Fma(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  float sink = 0;
  for (auto _ : state) sink += fma_chains_on(threads);
  benchmark::DoNotOptimize(sink);
  report_flops(state, peak_flops(threads), threads);
}
BENCHMARK(BM_PeakAvx512Fma)->Arg(1)->Arg(2)->UseRealTime();

// ---- GEMM: C[m, n] = op(A) op(B), row-major, at the models' shapes (forward and both backward products) ----
enum class Gemm { kOpenBlas, kOneDnn, kTapeflow };

template <Gemm kind>
void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const bool ta = state.range(3) & 1, tb = state.range(3) & 2;
  set_threads(static_cast<int>(state.range(4)));
  const std::vector<float> a = filled(m * k), b = filled(k * n);
  std::vector<float> c(m * n);
  for (auto _ : state) {
    if constexpr (kind == Gemm::kOpenBlas) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
                  1.f, a.data(), int(ta ? m : k), b.data(), int(tb ? k : n), 0.f, c.data(), int(n));
    } else if constexpr (kind == Gemm::kOneDnn) {
#ifdef TAPEFLOW_BENCH_ONEDNN
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.f,
                 c.data(), n);
#endif
    } else {
      kc::matmul(ta, tb, 1, m, n, k, a.data(), 0, b.data(), 0, c.data());
    }
    benchmark::DoNotOptimize(c.data());
  }
  report_flops(state, 2.0 * m * n * k, static_cast<int>(state.range(4)));
}

// {m, n, k, transposes (1: A, 2: B), threads}: dense y = x W [b, in] x [in, out]; its backward dx = dy W^T and
// dW = x^T dy. The notes' CNN dense layers, the MLP's first layer, the char-RNN's LSTM input+recurrent product;
// then the MLP's inference products.
void gemm_shapes(benchmark::internal::Benchmark* bench) {
  const int64_t b = 50;
  const int64_t layers[][2] = {{3136, 1024}, {1024, 10}, {784, 100}, {370, 1024}};
  for (int threads : {1, 2})
    for (const auto& l : layers) {
      bench->Args({b, l[1], l[0], 0, threads});     // forward
      bench->Args({b, l[0], l[1], 2, threads});     // d_x = d_y W^T
      bench->Args({l[0], l[1], b, 1, threads});     // d_W = x^T d_y
    }
  // Inference at batch 1000 (train_bench --eval): the MLP's two forward products, its thinnest margin over peers.
  for (int threads : {1, 2}) {
    bench->Args({1000, 100, 784, 0, threads});
    bench->Args({1000, 10, 100, 0, threads});
  }
  bench->ArgNames({"m", "n", "k", "t", "thr"})->UseRealTime();
}
BENCHMARK(BM_Sgemm<Gemm::kOpenBlas>)->Apply(gemm_shapes);
#ifdef TAPEFLOW_BENCH_ONEDNN
BENCHMARK(BM_Sgemm<Gemm::kOneDnn>)->Apply(gemm_shapes);
#endif
BENCHMARK(BM_Sgemm<Gemm::kTapeflow>)->Apply(gemm_shapes);

// ---- conv2d: the production kernels (oneDNN or im2col + OpenBLAS, whichever this build has; conv2's passes are
// the Winograd convolution, kernels/cpu/winograd_5x5.h, and conv1's forwards the kernel for few input channels,
// kernels/cpu/conv_few_channels.h). GFLOP/s counts direct convolution's multiply-adds, so a Winograd pass can pass
// the FMA peak: its %peak is then above 100 ----
tapeflow::kernels::Conv2DGeometry cnn_conv(int layer) {
  // The notes' CNN, batch 50: conv1 28x28x1 -> 32, conv2 14x14x32 -> 64, both 5x5 SAME stride 1.
  if (layer == 1) return {50, 28, 28, 1, 5, 5, 32, 28, 28, 1, 1, 1, 1, 2, 2};
  return {50, 14, 14, 32, 5, 5, 64, 14, 14, 1, 1, 1, 1, 2, 2};
}

template <kc::ConvPass pass>
void BM_Conv2d(benchmark::State& state) {
  const tapeflow::kernels::Conv2DGeometry g = cnn_conv(static_cast<int>(state.range(0)));
  set_threads(static_cast<int>(state.range(1)));
  std::vector<float> input = filled(g.n * g.h * g.w * g.c), filter = filled(g.kh * g.kw * g.c * g.o),
                     out = filled(g.n * g.oh * g.ow * g.o), bias = filled(g.o),
                     scratch(kc::conv2d_scratch_size(pass, g));
  float* s = scratch.empty() ? nullptr : scratch.data();
  for (auto _ : state) {
    if constexpr (pass == kc::ConvPass::kForward) kc::conv2d_forward(input.data(), filter.data(), out.data(), s, g);
    if constexpr (pass == kc::ConvPass::kForwardBiasRelu)
      kc::conv2d_bias_relu_forward(input.data(), filter.data(), bias.data(), out.data(), s, g);
    if constexpr (pass == kc::ConvPass::kBackwardInput)
      kc::conv2d_backward_input(out.data(), filter.data(), input.data(), s, g);
    if constexpr (pass == kc::ConvPass::kBackwardFilter)
      kc::conv2d_backward_filter(input.data(), out.data(), filter.data(), s, g);
    benchmark::ClobberMemory();
  }
  report_flops(state, 2.0 * g.n * g.oh * g.ow * g.o * g.kh * g.kw * g.c, static_cast<int>(state.range(1)));
}
void conv_shapes(benchmark::internal::Benchmark* bench) {
  for (int threads : {1, 2})
    for (int layer : {1, 2}) bench->Args({layer, threads});
  bench->ArgNames({"conv", "thr"})->UseRealTime();
}
BENCHMARK(BM_Conv2d<kc::ConvPass::kForward>)->Apply(conv_shapes);
BENCHMARK(BM_Conv2d<kc::ConvPass::kForwardBiasRelu>)->Apply(conv_shapes);  // inference: bias + ReLU fused
BENCHMARK(BM_Conv2d<kc::ConvPass::kBackwardInput>)->Apply(conv_shapes);
BENCHMARK(BM_Conv2d<kc::ConvPass::kBackwardFilter>)->Apply(conv_shapes);

// ---- max pooling: the CNN's 2x2 / stride 2 pools at batch 50, with (training) and without (inference) argmax;
// bandwidth-bound, so GB/s of input read + output (and argmax) written ----
// Pool `layer` reads conv `layer`'s output.
tapeflow::kernels::Conv2DGeometry cnn_pool(int layer) {
  const tapeflow::kernels::Conv2DGeometry conv = cnn_conv(layer);
  return {conv.n, conv.oh, conv.ow, conv.o, 2, 2, conv.o, conv.oh / 2, conv.ow / 2, 2, 2, 1, 1, 0, 0};
}

void report_bandwidth(benchmark::State& state, double bytes_per_iteration) {
  state.counters["GB/s"] = benchmark::Counter(bytes_per_iteration * 1e-9 * static_cast<double>(state.iterations()),
                                              benchmark::Counter::kIsRate);
}

void BM_MaxPool(benchmark::State& state) {
  const tapeflow::kernels::Conv2DGeometry g = cnn_pool(static_cast<int>(state.range(0)));
  const bool with_argmax = state.range(1) != 0;
  set_threads(static_cast<int>(state.range(2)));
  const std::vector<float> input = filled(g.n * g.h * g.w * g.c);
  std::vector<float> out(g.n * g.oh * g.ow * g.c);
  std::vector<int32_t> argmax(with_argmax ? out.size() : 0);
  for (auto _ : state) {
    kc::max_pool_forward(input.data(), out.data(), with_argmax ? argmax.data() : nullptr, g);
    benchmark::ClobberMemory();
  }
  report_bandwidth(state, 4.0 * (input.size() + out.size() + argmax.size()));
}
BENCHMARK(BM_MaxPool)->ArgsProduct({{1, 2}, {0, 1}, {1, 2}})->ArgNames({"pool", "argmax", "thr"})->UseRealTime();

// Its backward: the output gradient and argmax read, the input gradient written.
void BM_MaxPoolBackward(benchmark::State& state) {
  const tapeflow::kernels::Conv2DGeometry g = cnn_pool(static_cast<int>(state.range(0)));
  set_threads(static_cast<int>(state.range(1)));
  const std::vector<float> input = filled(g.n * g.h * g.w * g.c);
  std::vector<float> d_out = filled(g.n * g.oh * g.ow * g.c), d_input(input.size());
  std::vector<int32_t> argmax(d_out.size());
  kc::max_pool_forward(input.data(), d_input.data(), argmax.data(), g);
  for (auto _ : state) {
    kc::max_pool_backward(d_out.data(), argmax.data(), d_input.data(), g);
    benchmark::ClobberMemory();
  }
  report_bandwidth(state, 4.0 * (d_out.size() + argmax.size() + d_input.size()));
}
BENCHMARK(BM_MaxPoolBackward)->ArgsProduct({{1, 2}, {1, 2}})->ArgNames({"pool", "thr"})->UseRealTime();

// ---- the conv layers' ReLU gradient and bias sum in one pass (training), at the CNN's conv outputs ----
void BM_BiasReluGrad(benchmark::State& state) {
  const tapeflow::kernels::Conv2DGeometry conv = cnn_conv(static_cast<int>(state.range(0)));
  const int64_t rows = conv.n * conv.oh * conv.ow, channels = conv.o;
  set_threads(static_cast<int>(state.range(1)));
  const std::vector<float> y = filled(rows * channels), dy = filled(rows * channels, 0.02f);
  std::vector<float> d_x(rows * channels), d_bias(channels);
  for (auto _ : state) {
    kc::bias_relu_grad(y.data(), dy.data(), d_x.data(), d_bias.data(), rows, channels);
    benchmark::ClobberMemory();
  }
  report_bandwidth(state, 4.0 * 3 * static_cast<double>(rows * channels));
}
BENCHMARK(BM_BiasReluGrad)->ArgsProduct({{1, 2}, {1, 2}})->ArgNames({"conv", "thr"})->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // The computed peak: nominal clock x 2 AVX-512 FMA ports x 16 floats x 2 flops, per core.
  double mhz = 0;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("cpu MHz", 0) == 0) {
      mhz = std::stod(line.substr(line.find(':') + 1));
      break;
    }
  std::printf("computed peak per core: %.0f MHz x 2 FMA x 16 x 2 = %.1f GFLOP/s (BM_PeakAvx512Fma measures it)\n",
              mhz, mhz * 1e-3 * 64);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
