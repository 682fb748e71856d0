// conv2d on CUDA through cuDNN's convolution API in NHWC. CPU twin: kernels/cpu/conv.cpp.
// What this file adds around the three cuDNN calls:
//  - filters: ours are HWIO [kh, kw, c, o], cuDNN's NHWC filters are [o, kh, kw, c]: the [kh*kw*c, o]
//    matrix is transposed on the way in (and the filter gradient on the way out);
//  - padding: TF's SAME padding may put one row (column) more at the bottom (right) than at the top
//    (left), cuDNN pads symmetrically. When symmetric padding would not give TF's output size, the input
//    is copied into an explicitly zero-padded frame and cuDNN runs unpadded; the input gradient is then
//    cropped back out of the frame's gradient;
//  - algorithms: chosen once per shape (cuDNN's heuristics, or timing them all), cached with the
//    descriptors; their workspace comes from the scratch allocator.
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/conv.h"
#include "kernels/cuda/cudnn.cuh"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda_runtime.h"
#include "kernels/matmul.h"

namespace tapeflow::kernels::cuda {

namespace {

constexpr size_t kWorkspaceLimit = size_t{256} << 20;  // algorithms needing more are passed over

// dst[b, y, x, ch] = src[b, y + dy, x + dx, ch], or 0 where that lies outside src. src is [n, src_h, src_w, c],
// dst [n, dst_h, dst_w, c]; one thread per dst element (grid-stride). Pads (dy, dx < 0) and crops (> 0).
__global__ void shifted_copy_kernel(const float* src, int64_t src_h, int64_t src_w, float* dst, int64_t dst_h,
                                    int64_t dst_w, int64_t c, int64_t dy, int64_t dx, int64_t total) {
  for (int64_t i = global_thread(); i < total; i += grid_threads()) {
    const int64_t ch = i % c;
    int64_t rest = i / c;
    const int64_t x = rest % dst_w;
    rest /= dst_w;
    const int64_t y = rest % dst_h, b = rest / dst_h;
    const int64_t sy = y + dy, sx = x + dx;
    const bool inside = sy >= 0 && sy < src_h && sx >= 0 && sx < src_w;
    dst[i] = inside ? src[((b * src_h + sy) * src_w + sx) * c + ch] : 0.f;
  }
}

void shifted_copy(int device, const float* src, int64_t src_h, int64_t src_w, float* dst, int64_t dst_h,
                  int64_t dst_w, const Conv2DGeometry& g, int64_t dy, int64_t dx) {
  const int64_t total = g.n * dst_h * dst_w * g.c;
  if (total == 0) return;
  cudaStream_t stream = stream_for(device);
  shifted_copy_kernel<<<grid_for(device, total), kThreads, 0, stream>>>(src, src_h, src_w, dst, dst_h, dst_w, g.c, dy,
                                                                         dx, total);
  TAPEFLOW_CUDA_CHECK_LAUNCH();
}

int as_int(int64_t v) {
  if (v > INT_MAX) throw Error("conv2d on CUDA: a dimension of " + std::to_string(v) + " exceeds cuDNN's 32-bit limit");
  return static_cast<int>(v);
}

// The output size cuDNN gives for `extent` padded by `pad` on both sides, or -1 if the window does not fit.
int64_t symmetric_output(int64_t extent, int64_t pad, int64_t k, int64_t stride, int64_t dilation) {
  const int64_t room = extent + 2 * pad - dilation * (k - 1) - 1;
  return room < 0 ? -1 : room / stride + 1;
}

// The input as cuDNN sees it: the real one with symmetric padding, or a zero-padded frame of
// frame_h x frame_w (the rows and columns the windows read, starting at -pad_top, -pad_left) with none.
struct Frame {
  bool padded_copy;
  int64_t h, w;
};

Frame frame_for(const Conv2DGeometry& g) {
  if (symmetric_output(g.h, g.pad_top, g.kh, g.stride_h, g.dilation_h) == g.oh &&
      symmetric_output(g.w, g.pad_left, g.kw, g.stride_w, g.dilation_w) == g.ow)
    return {false, g.h, g.w};
  return {true, (g.oh - 1) * g.stride_h + g.dilation_h * (g.kh - 1) + 1,
          (g.ow - 1) * g.stride_w + g.dilation_w * (g.kw - 1) + 1};
}

struct Algorithm {
  int algo = -1;  // a cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t; -1 until chosen
  size_t workspace = 0;
};

// Descriptors and chosen algorithms for one shape on one device.
struct Plan {
  Plan(const Conv2DGeometry& g, bool tf32)
      : frame(frame_for(g)),
        math(tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH),  // DEFAULT lets float32 use TF32 tensor cores
        x(as_int(g.n), as_int(frame.h), as_int(frame.w), as_int(g.c)),
        y(as_int(g.n), as_int(g.oh), as_int(g.ow), as_int(g.o)),
        w(as_int(g.o), as_int(g.kh), as_int(g.kw), as_int(g.c)),
        conv(frame.padded_copy ? 0 : as_int(g.pad_top), frame.padded_copy ? 0 : as_int(g.pad_left),
             as_int(g.stride_h), as_int(g.stride_w), as_int(g.dilation_h), as_int(g.dilation_w), math) {
    int n = 0, c = 0, h = 0, wd = 0;
    TAPEFLOW_CUDNN_CHECK(cudnn().GetConvolution2dForwardOutputDim(conv.get(), x.get(), w.get(), &n, &c, &h, &wd));
    if (n != g.n || c != g.o || h != g.oh || wd != g.ow)
      throw Error("conv2d on CUDA: cuDNN's output [" + std::to_string(n) + ", " + std::to_string(h) + ", " +
                  std::to_string(wd) + ", " + std::to_string(c) + "] differs from TF's [" + std::to_string(g.n) +
                  ", " + std::to_string(g.oh) + ", " + std::to_string(g.ow) + ", " + std::to_string(g.o) + "]");
  }
  Frame frame;
  cudnnMathType_t math;
  TensorDescriptor x, y;
  FilterDescriptor w;
  ConvolutionDescriptor conv;
  Algorithm forward, backward_data, backward_filter;
};

std::mutex plans_mutex;  // guards the cache and the algorithm choices in it

Plan& plan_for(int device, const Conv2DGeometry& g, const ConvOptions& options) {
  static auto* plans = new std::map<std::vector<int64_t>, std::unique_ptr<Plan>>();  // never destroyed (see cudnn.cu)
  // Every option that changes the algorithms chosen is part of the key.
  const std::vector<int64_t> key{device,     options.allow_tf32, options.measure_algorithms, options.deterministic,
                                 g.n,        g.h,                g.w,                        g.c,
                                 g.kh,       g.kw,               g.o,                        g.oh,
                                 g.ow,       g.stride_h,         g.stride_w,                 g.dilation_h,
                                 g.dilation_w, g.pad_top,        g.pad_left};
  std::lock_guard lock(plans_mutex);
  std::unique_ptr<Plan>& plan = (*plans)[key];
  if (!plan) plan = std::make_unique<Plan>(g, options.allow_tf32);
  return *plan;
}

// The first (fastest, as cuDNN ranks them) result that ran, fits the workspace limit, in float32 mode uses
// no tensor-core math, and under op determinism is one cuDNN marks deterministic.
template <class Perf>
Algorithm first_usable(const Perf* perfs, int count, cudnnMathType_t math, bool deterministic, const char* direction) {
  for (int i = 0; i < count; ++i) {
    const Perf& p = perfs[i];
    const bool tensor_ops = p.mathType == CUDNN_TENSOR_OP_MATH || p.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
    if (p.status != CUDNN_STATUS_SUCCESS || p.memory > kWorkspaceLimit || (math == CUDNN_FMA_MATH && tensor_ops) ||
        (deterministic && p.determinism != CUDNN_DETERMINISTIC))
      continue;
    return {static_cast<int>(p.algo), p.memory};
  }
  throw Error(std::string("conv2d on CUDA: cuDNN offers no usable ") + (deterministic ? "deterministic " : "") +
              direction + " algorithm for this shape" + (deterministic ? " (op determinism is on)" : ""));
}

// `algorithm` once chosen: by `heuristic()` or, when measuring, by `measure(workspace, bytes)`; each
// returns the ranked perf results.
template <class Perf, class Heuristic, class Measure>
const Algorithm& choose(int device, Algorithm& algorithm, const Plan& plan, const ConvOptions& options,
                        const char* direction, Heuristic heuristic, Measure measure) {
  std::lock_guard lock(plans_mutex);
  if (algorithm.algo >= 0) return algorithm;
  std::vector<Perf> perfs(16);  // more than any direction's algorithm count
  int count = 0;
  if (options.measure_algorithms) {
    Scratch workspace(device, kWorkspaceLimit);
    measure(static_cast<int>(perfs.size()), &count, perfs.data(), workspace.data(), workspace.size());
  } else {
    heuristic(static_cast<int>(perfs.size()), &count, perfs.data());
  }
  algorithm = first_usable(perfs.data(), count, plan.math, options.deterministic, direction);
  return algorithm;
}

bool empty_problem(const Conv2DGeometry& g) {
  return g.n == 0 || g.c == 0 || g.o == 0 || g.oh == 0 || g.ow == 0 || g.h == 0 || g.w == 0;
}

void zero(int device, float* p, int64_t count) {
  if (count > 0) memset_zero(device, p, sizeof(float) * static_cast<size_t>(count));
}

// The input as cuDNN sees it: `input` itself, or its zero-padded frame written into `frame_buffer`.
const float* framed_input(int device, const float* input, const Plan& plan, const Conv2DGeometry& g,
                          std::unique_ptr<Scratch>& frame_buffer) {
  if (!plan.frame.padded_copy) return input;
  frame_buffer = std::make_unique<Scratch>(device, sizeof(float) * size_t(g.n * plan.frame.h * plan.frame.w * g.c));
  float* framed = static_cast<float*>(frame_buffer->data());
  shifted_copy(device, input, g.h, g.w, framed, plan.frame.h, plan.frame.w, g, -g.pad_top, -g.pad_left);
  return framed;
}

// The filters in cuDNN's [o, kh, kw, c] layout.
std::unique_ptr<Scratch> krsc_filter(int device, const float* filter, const Conv2DGeometry& g) {
  auto krsc = std::make_unique<Scratch>(device, sizeof(float) * size_t(g.kh * g.kw * g.c * g.o));
  transpose(device, filter, static_cast<float*>(krsc->data()), g.kh * g.kw * g.c, g.o);
  return krsc;
}

const float kOne = 1.f, kZero = 0.f;

}  // namespace

void conv2d_forward(int device, const float* input, const float* filter, float* out, const Conv2DGeometry& g,
                    const ConvOptions& options) {
  if (empty_problem(g)) return zero(device, out, g.n * g.oh * g.ow * g.o);
  Plan& plan = plan_for(device, g, options);
  cudnnHandle_t handle = cudnn_handle(device);
  std::unique_ptr<Scratch> frame_buffer;
  const float* x = framed_input(device, input, plan, g, frame_buffer);
  const std::unique_ptr<Scratch> w = krsc_filter(device, filter, g);
  const Algorithm& algorithm = choose<cudnnConvolutionFwdAlgoPerf_t>(
      device, plan.forward, plan, options, "forward",
      [&](int n, int* count, cudnnConvolutionFwdAlgoPerf_t* perfs) {
        TAPEFLOW_CUDNN_CHECK(cudnn().GetConvolutionForwardAlgorithm_v7(handle, plan.x.get(), plan.w.get(),
                                                                       plan.conv.get(), plan.y.get(), n, count, perfs));
      },
      [&](int n, int* count, cudnnConvolutionFwdAlgoPerf_t* perfs, void* ws, size_t ws_bytes) {
        TAPEFLOW_CUDNN_CHECK(cudnn().FindConvolutionForwardAlgorithmEx(handle, plan.x.get(), x, plan.w.get(), w->data(),
                                                                       plan.conv.get(), plan.y.get(), out, n, count,
                                                                       perfs, ws, ws_bytes));
      });
  Scratch workspace(device, algorithm.workspace);
  TAPEFLOW_CUDNN_CHECK(cudnn().ConvolutionForward(handle, &kOne, plan.x.get(), x, plan.w.get(), w->data(),
                                                  plan.conv.get(),
                                                  static_cast<cudnnConvolutionFwdAlgo_t>(algorithm.algo),
                                                  workspace.data(), workspace.size(), &kZero, plan.y.get(), out));
}

void conv2d_backward_input(int device, const float* d_out, const float* filter, float* d_input,
                           const Conv2DGeometry& g, const ConvOptions& options) {
  if (empty_problem(g)) return zero(device, d_input, g.n * g.h * g.w * g.c);
  Plan& plan = plan_for(device, g, options);
  cudnnHandle_t handle = cudnn_handle(device);
  const std::unique_ptr<Scratch> w = krsc_filter(device, filter, g);
  // cuDNN writes the gradient of the frame; without a padded copy the frame is the input itself.
  std::unique_ptr<Scratch> frame_grad;
  float* dx = d_input;
  if (plan.frame.padded_copy) {
    frame_grad = std::make_unique<Scratch>(device, sizeof(float) * size_t(g.n * plan.frame.h * plan.frame.w * g.c));
    dx = static_cast<float*>(frame_grad->data());
  }
  const Algorithm& algorithm = choose<cudnnConvolutionBwdDataAlgoPerf_t>(
      device, plan.backward_data, plan, options, "backward-data",
      [&](int n, int* count, cudnnConvolutionBwdDataAlgoPerf_t* perfs) {
        TAPEFLOW_CUDNN_CHECK(cudnn().GetConvolutionBackwardDataAlgorithm_v7(
            handle, plan.w.get(), plan.y.get(), plan.conv.get(), plan.x.get(), n, count, perfs));
      },
      [&](int n, int* count, cudnnConvolutionBwdDataAlgoPerf_t* perfs, void* ws, size_t ws_bytes) {
        TAPEFLOW_CUDNN_CHECK(cudnn().FindConvolutionBackwardDataAlgorithmEx(
            handle, plan.w.get(), w->data(), plan.y.get(), d_out, plan.conv.get(), plan.x.get(), dx, n, count, perfs,
            ws, ws_bytes));
      });
  Scratch workspace(device, algorithm.workspace);
  TAPEFLOW_CUDNN_CHECK(cudnn().ConvolutionBackwardData(handle, &kOne, plan.w.get(), w->data(), plan.y.get(), d_out,
                                                       plan.conv.get(),
                                                       static_cast<cudnnConvolutionBwdDataAlgo_t>(algorithm.algo),
                                                       workspace.data(), workspace.size(), &kZero, plan.x.get(), dx));
  if (plan.frame.padded_copy)
    shifted_copy(device, dx, plan.frame.h, plan.frame.w, d_input, g.h, g.w, g, g.pad_top, g.pad_left);
}

void conv2d_backward_filter(int device, const float* input, const float* d_out, float* d_filter,
                            const Conv2DGeometry& g, const ConvOptions& options) {
  if (empty_problem(g)) return zero(device, d_filter, g.kh * g.kw * g.c * g.o);
  Plan& plan = plan_for(device, g, options);
  cudnnHandle_t handle = cudnn_handle(device);
  std::unique_ptr<Scratch> frame_buffer;
  const float* x = framed_input(device, input, plan, g, frame_buffer);
  Scratch dw(device, sizeof(float) * size_t(g.kh * g.kw * g.c * g.o));  // [o, kh, kw, c]
  const Algorithm& algorithm = choose<cudnnConvolutionBwdFilterAlgoPerf_t>(
      device, plan.backward_filter, plan, options, "backward-filter",
      [&](int n, int* count, cudnnConvolutionBwdFilterAlgoPerf_t* perfs) {
        TAPEFLOW_CUDNN_CHECK(cudnn().GetConvolutionBackwardFilterAlgorithm_v7(
            handle, plan.x.get(), plan.y.get(), plan.conv.get(), plan.w.get(), n, count, perfs));
      },
      [&](int n, int* count, cudnnConvolutionBwdFilterAlgoPerf_t* perfs, void* ws, size_t ws_bytes) {
        TAPEFLOW_CUDNN_CHECK(cudnn().FindConvolutionBackwardFilterAlgorithmEx(
            handle, plan.x.get(), x, plan.y.get(), d_out, plan.conv.get(), plan.w.get(), dw.data(), n, count, perfs, ws,
            ws_bytes));
      });
  Scratch workspace(device, algorithm.workspace);
  TAPEFLOW_CUDNN_CHECK(
      cudnn().ConvolutionBackwardFilter(handle, &kOne, plan.x.get(), x, plan.y.get(), d_out, plan.conv.get(),
                                        static_cast<cudnnConvolutionBwdFilterAlgo_t>(algorithm.algo), workspace.data(),
                                        workspace.size(), &kZero, plan.w.get(), dw.data()));
  transpose(device, static_cast<const float*>(dw.data()), d_filter, g.o, g.kh * g.kw * g.c);
}

}  // namespace tapeflow::kernels::cuda
