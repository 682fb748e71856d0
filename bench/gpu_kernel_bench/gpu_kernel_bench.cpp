// gpu_kernel_bench: tapeflow's CUDA kernels timed against their references on the same GPU, each result
// validated before it is timed. Prints a markdown table; --json PATH also writes the rows as JSON.
//   - SGEMM at 1024/2048/4096: the tiled kernel (kernels/cuda/sgemm.cu) vs cuBLAS FP32 (and TF32 for scale);
//   - conv2d forward, backward-data, backward-filter at the notes' CNN shapes (batch 50): tapeflow's cuDNN
//     path with cuDNN's heuristics vs the same with every algorithm timed (cuDNN's fastest), and with only
//     deterministic algorithms (op determinism) vs the heuristics;
//   - bandwidth-bound kernels (elementwise add and relu, the fused softmax cross-entropy, max pooling
//     forward/backward, and a write-only memset for scale) as a fraction of device copy bandwidth
//     (cudaMemcpy D2D), on operands far larger than the L2.
// Exits 2, printing why, on a machine without a GPU: no numbers are ever made up.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/memory/cuda_allocator.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/cuda/check.cuh"
#include "kernels/cuda_runtime.h"
#include "kernels/matmul.h"
#include "kernels/pool.h"
#include "kernels/softmax.h"

namespace {

using namespace tapeflow;
namespace kc = tapeflow::kernels::cuda;
constexpr int kDevice = 0;

// A device buffer of n floats from the caching allocator, filled with uniform [-1, 1) values.
struct Buffer {
  explicit Buffer(int64_t n, uint32_t seed = 0) : count(n), bytes(sizeof(float) * size_t(n)) {
    data = static_cast<float*>(memory::cuda_allocator(kDevice).allocate(bytes));
    std::vector<float> host(static_cast<size_t>(n));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (float& v : host) v = u(rng);
    kc::copy_host_to_device(kDevice, data, host.data(), bytes);
  }
  ~Buffer() { memory::cuda_allocator(kDevice).deallocate(data, bytes); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  std::vector<float> host() const {
    std::vector<float> v(static_cast<size_t>(count));
    kc::copy_device_to_host(kDevice, v.data(), data, bytes);
    return v;
  }
  int64_t count;
  size_t bytes;
  float* data = nullptr;
};

double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    norm += double(want[i]) * want[i];
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

// Median milliseconds per call of f over enough repetitions to fill ~200 ms (at least 5), after a warm-up.
// The events go on the device's compute stream, where f queues its work (a legacy-stream event would not
// wait for it).
double time_ms(const std::function<void()>& f) {
  f();
  kc::synchronize(kDevice);
  auto once = [&] {
    const kc::Event start = kc::record_timing_event(kDevice);
    f();
    const kc::Event stop = kc::record_timing_event(kDevice);
    const double ms = kc::elapsed_ms(start, stop);
    kc::destroy_event(start);
    kc::destroy_event(stop);
    return ms;
  };
  std::vector<double> times{once()};
  const int reps = std::clamp(int(200.0 / std::max(times[0], 1e-3)), 5, 200);
  for (int i = 1; i < reps; ++i) times.push_back(once());
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

struct Row {
  std::string kernel, shape, unit;
  double ours, reference;
  std::string reference_name;
  double error;  // relative error of ours vs the reference's result (or the CPU's), validated before timing
};

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: gpu_kernel_bench [--json PATH]\n");
      return 1;
    }
  }
  if (kc::device_count() == 0) {
    std::fprintf(stderr, "gpu_kernel_bench: no CUDA device (or driver) on this machine; nothing was measured\n");
    return 2;
  }
  try {
    // The caching allocator installs itself as the library calls' scratch allocator on creation.
    memory::cuda_allocator(kDevice);
    const kc::DeviceProperties props = kc::device_properties(kDevice);
    std::vector<Row> rows;

    // --- SGEMM ---
    for (const int64_t n : {1024, 2048, 4096}) {
      Buffer a(n * n, 1), b(n * n, 2), ours(n * n), cublas(n * n);
      auto run = [&](kc::Gemm gemm, bool tf32, float* c) {
        kc::matmul(kDevice, false, false, 1, n, n, n, a.data, 0, b.data, 0, c, {gemm, tf32});
      };
      run(kc::Gemm::kTiled, false, ours.data);
      run(kc::Gemm::kCublas, false, cublas.data);
      const double error = relative_error(ours.host(), cublas.host());
      const double flop = 2.0 * double(n) * n * n;
      const double t_ours = time_ms([&] { run(kc::Gemm::kTiled, false, ours.data); });
      const double t_cublas = time_ms([&] { run(kc::Gemm::kCublas, false, cublas.data); });
      const double t_tf32 = time_ms([&] { run(kc::Gemm::kCublas, true, cublas.data); });
      const std::string shape = std::to_string(n) + "^3";
      rows.push_back({"sgemm (tiled vs cuBLAS FP32)", shape, "GFLOP/s", flop / t_ours / 1e6, flop / t_cublas / 1e6,
                      "cuBLAS FP32", error});
      rows.push_back({"sgemm (tiled vs cuBLAS TF32)", shape, "GFLOP/s", flop / t_ours / 1e6, flop / t_tf32 / 1e6,
                      "cuBLAS TF32", error});
    }

    // --- conv2d at the notes' CNN shapes: [50, 28, 28, 1] -> 5x5x32 SAME -> pool -> 5x5x64 SAME ---
    auto same_5x5 = [](int64_t n, int64_t hw, int64_t c, int64_t o) {
      return kernels::Conv2DGeometry{n, hw, hw, c, 5, 5, o, hw, hw, 1, 1, 1, 1, 2, 2};
    };
    for (const kernels::Conv2DGeometry& g : {same_5x5(50, 28, 1, 32), same_5x5(50, 14, 32, 64)}) {
      Buffer x(g.n * g.h * g.w * g.c, 3), w(g.kh * g.kw * g.c * g.o, 4), dy(g.n * g.oh * g.ow * g.o, 5);
      Buffer y(dy.count), dx(x.count), dw(w.count);
      Buffer y_best(dy.count), dx_best(x.count), dw_best(w.count);
      const kc::ConvOptions heuristic{}, timed{.measure_algorithms = true}, deterministic{.deterministic = true};
      const double flop = 2.0 * g.n * g.oh * g.ow * g.o * g.kh * g.kw * g.c;
      const std::string shape = "[" + std::to_string(g.n) + ", " + std::to_string(g.h) + ", " + std::to_string(g.w) +
                                ", " + std::to_string(g.c) + "] * 5x5x" + std::to_string(g.o);
      struct Direction {
        const char* name;
        std::function<void(const kc::ConvOptions&, bool best)> run;
        const Buffer *out, *out_best;
      };
      const Direction directions[] = {
          {"conv2d forward",
           [&](const kc::ConvOptions& o, bool best) { kc::conv2d_forward(kDevice, x.data, w.data, (best ? y_best : y).data, g, o); },
           &y, &y_best},
          {"conv2d backward-data",
           [&](const kc::ConvOptions& o, bool best) {
             kc::conv2d_backward_input(kDevice, dy.data, w.data, (best ? dx_best : dx).data, g, o);
           },
           &dx, &dx_best},
          {"conv2d backward-filter",
           [&](const kc::ConvOptions& o, bool best) {
             kc::conv2d_backward_filter(kDevice, x.data, dy.data, (best ? dw_best : dw).data, g, o);
           },
           &dw, &dw_best},
      };
      // Each direction three ways: cuDNN's heuristic choice (TAPEFLOW_CUDNN_BENCHMARK=0), the fastest of all its
      // algorithms timed once (the engine's default), and the heuristic's best deterministic one (op determinism).
      for (const Direction& d : directions) {
        d.run(timed, true);
        d.run(heuristic, false);
        const double error = relative_error(d.out->host(), d.out_best->host());
        const double t_heuristic = time_ms([&] { d.run(heuristic, false); });
        const double t_timed = time_ms([&] { d.run(timed, true); });
        d.run(deterministic, false);
        const double error_deterministic = relative_error(d.out->host(), d.out_best->host());
        const double t_deterministic = time_ms([&] { d.run(deterministic, false); });
        rows.push_back({std::string(d.name) + " (heuristic vs timed algorithms)", shape, "GFLOP/s",
                        flop / t_heuristic / 1e6, flop / t_timed / 1e6, "cuDNN fastest, timed", error});
        rows.push_back({std::string(d.name) + " (deterministic vs heuristic)", shape, "GFLOP/s",
                        flop / t_deterministic / 1e6, flop / t_heuristic / 1e6, "cuDNN heuristic",
                        error_deterministic});
      }
    }

    // --- bandwidth-bound kernels as a fraction of device copy bandwidth; every operand several times the L2
    // (60 MB on an H200), so that neither the copy nor the kernel runs out of the cache ---
    {
      const int64_t n = int64_t{64} << 20;  // 256 MiB of floats
      Buffer src(n, 6), dst(n), other(n, 7);
      const double t_copy = time_ms([&] { kc::copy_device_to_device(kDevice, dst.data, src.data, src.bytes); });
      const double copy_gbs = 2.0 * double(src.bytes) / t_copy / 1e6;
      rows.push_back(
          {"device copy (cudaMemcpy D2D, read + write)", "256 MiB", "GB/s", copy_gbs, copy_gbs, "itself", 0.0});
      // One row: bytes moved (each input read once, each output written once) over the median time.
      auto bandwidth_row = [&](const std::string& name, const std::string& shape, double bytes, double error,
                               const std::function<void()>& f) {
        rows.push_back({name, shape, "GB/s", bytes / time_ms(f) / 1e6, copy_gbs, "device copy", error});
      };

      const std::string flat = "[" + std::to_string(n) + "]";
      const std::vector<float> a_host = src.host(), b_host = other.host();
      std::vector<float> want(static_cast<size_t>(n));
      kernels::BroadcastLayout same{};
      same.rank = 1;
      same.dims[0] = n;
      same.a_strides[0] = same.b_strides[0] = 1;
      auto add = [&] {
        kc::binary(kDevice, kernels::BinaryOp::kAdd, DType::kFloat32, src.data, other.data, dst.data, same);
      };
      add();
      kernels::cpu::binary(kernels::BinaryOp::kAdd, DType::kFloat32, a_host.data(), b_host.data(), want.data(), same);
      bandwidth_row("add (elementwise, same shape)", flat, 3.0 * double(src.bytes), relative_error(dst.host(), want),
                    add);
      // Writing only, for kernels that write more than they read (max pooling's backward writes 4 bytes of
      // gradient for every 2 it reads): how far the device's write bandwidth alone goes against the copy's mix.
      {
        const std::vector<float> zeros(static_cast<size_t>(n), 0.f);
        auto zero = [&] { kc::memset_zero(kDevice, dst.data, dst.bytes); };
        zero();
        bandwidth_row("memset (cudaMemsetAsync, write only)", "256 MiB", double(dst.bytes),
                      relative_error(dst.host(), zeros), zero);
      }
      auto relu = [&] { kc::unary(kDevice, kernels::UnaryOp::kRelu, src.data, dst.data, n); };
      relu();
      kernels::cpu::unary(kernels::UnaryOp::kRelu, a_host.data(), want.data(), n);
      bandwidth_row("relu (elementwise)", flat, 2.0 * double(src.bytes), relative_error(dst.host(), want), relu);

      // The fused sparse softmax cross-entropy, forward and backward in one pass: logits in, labels in, loss
      // and gradient out. At the notes' 10 classes and at 1000.
      for (const int64_t classes : {int64_t{10}, int64_t{1000}}) {
        const int64_t row_count = n / classes;
        std::vector<int64_t> labels(static_cast<size_t>(row_count));
        std::mt19937 rng(8);
        for (int64_t& label : labels) label = std::uniform_int_distribution<int64_t>(0, classes - 1)(rng);
        const size_t label_bytes = sizeof(int64_t) * labels.size();
        auto* labels_device = static_cast<int64_t*>(memory::cuda_allocator(kDevice).allocate(label_bytes));
        kc::copy_host_to_device(kDevice, labels_device, labels.data(), label_bytes);
        Buffer loss(row_count);
        auto xent = [&] {
          kc::softmax_xent(kDevice, src.data, labels_device, loss.data, dst.data, row_count, classes);
        };
        xent();
        std::vector<float> want_loss(static_cast<size_t>(row_count));
        kernels::cpu::softmax_xent(a_host.data(), labels.data(), want_loss.data(), want.data(), row_count, classes);
        const std::vector<float> grad = dst.host();
        const double error = std::max(relative_error(loss.host(), want_loss),
                                      relative_error({grad.begin(), grad.begin() + row_count * classes},
                                                     {want.begin(), want.begin() + row_count * classes}));
        const double bytes = double(row_count) * (2.0 * classes * sizeof(float) + sizeof(int64_t) + sizeof(float));
        bandwidth_row("softmax cross-entropy (fused forward + backward)",
                      "[" + std::to_string(row_count) + ", " + std::to_string(classes) + "]", bytes, error, xent);
        memory::cuda_allocator(kDevice).deallocate(labels_device, label_bytes);
      }

      // Max pooling 2x2/2 at the CNN's first pooling layer, over a batch of 1024 so the input is ~100 MB.
      const kernels::Conv2DGeometry g{1024, 28, 28, 32, 2, 2, 32, 14, 14, 2, 2, 1, 1, 0, 0};
      Buffer x(g.n * g.h * g.w * g.c, 9), y(g.n * g.oh * g.ow * g.c), dx(x.count);
      auto* argmax = static_cast<int32_t*>(memory::cuda_allocator(kDevice).allocate(sizeof(int32_t) * size_t(y.count)));
      auto pool_forward = [&] { kc::max_pool_forward(kDevice, x.data, y.data, argmax, g); };
      pool_forward();
      std::vector<float> want_pool(static_cast<size_t>(y.count));
      kernels::cpu::max_pool_forward(x.host().data(), want_pool.data(), nullptr, g);
      const double pool_error = relative_error(y.host(), want_pool);
      const std::string pool_shape = "[1024, 28, 28, 32]";
      bandwidth_row("max_pool2d forward 2x2/2 (+argmax)", pool_shape,
                    double(x.bytes + y.bytes + sizeof(int32_t) * y.count), pool_error, pool_forward);
      bandwidth_row("max_pool2d backward 2x2/2", pool_shape, double(y.bytes + sizeof(int32_t) * y.count + dx.bytes),
                    pool_error, [&] { kc::max_pool_backward(kDevice, y.data, argmax, dx.data, g); });
      memory::cuda_allocator(kDevice).deallocate(argmax, sizeof(int32_t) * size_t(y.count));
    }

    std::printf("## gpu_kernel_bench on %s (%d SMs)\n\n", props.name.c_str(), props.sm_count);
    std::printf("| kernel | shape | tapeflow | reference | ours / reference | rel. error |\n|---|---|---|---|---|---|\n");
    nlohmann::json json = {{"device", props.name}, {"sm_count", props.sm_count}, {"rows", nlohmann::json::array()}};
    for (const Row& r : rows) {
      std::printf("| %s | %s | %.0f %s | %.0f %s (%s) | %.2f | %.1e |\n", r.kernel.c_str(), r.shape.c_str(), r.ours,
                  r.unit.c_str(), r.reference, r.unit.c_str(), r.reference_name.c_str(), r.ours / r.reference, r.error);
      json["rows"].push_back({{"kernel", r.kernel}, {"shape", r.shape}, {"unit", r.unit}, {"tapeflow", r.ours},
                              {"reference", r.reference}, {"reference_name", r.reference_name},
                              {"ratio", r.ours / r.reference}, {"relative_error", r.error}});
    }
    if (!json_path.empty()) {
      std::ofstream out(json_path);
      out << json.dump(2) << "\n";
      if (!out) throw Error("gpu_kernel_bench: cannot write " + json_path);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_kernel_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
