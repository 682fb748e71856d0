// conv2d on the CPU through oneDNN (TAPEFLOW_ONEDNN=ON): its AVX-512 direct convolutions on our NHWC
// activations and HWIO filters in place, no im2col. The twin without oneDNN is kernels/cpu/conv.cpp;
// kernels/cpu/conv_algorithm.cpp picks between these and the Winograd convolution.
#include <omp.h>

#include <algorithm>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include "kernels/cpu/conv_direct.h"

namespace tapeflow::kernels::cpu {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// The primitives of one geometry, each created on first use. oneDNN partitions work for the thread count
// current at creation, so that count is part of the key.
// Activations stay NHWC; the filter is reordered between our HWIO and the layout each primitive picked (its
// fast AVX-512 kernels want blocked filters; with HWIO fixed oneDNN falls back to im2col + GEMM).
struct ConvPass1 {
  dnnl::primitive primitive;
  memory::desc weights;  // the primitive's filter layout
};
struct ConvPrimitives {
  memory::desc src, weights, dst;  // input [n, c, h, w] as nhwc, filter [o, c, kh, kw] as hwio, output nhwc
  dnnl::convolution_forward::primitive_desc forward_pd;
  std::unique_ptr<ConvPass1> forward, backward_data, backward_weights;
  std::unique_ptr<ConvPass1> forward_bias_relu;  // inference: bias and ReLU fused as post-ops
};

memory::desc bias_desc(const Conv2DGeometry& g) { return {{g.o}, memory::data_type::f32, Tag::a}; }

using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, int64_t, int64_t, int>;
Key key_of(const Conv2DGeometry& g) {
  return {g.n,        g.h,        g.w,          g.c,          g.kh,      g.kw,       g.o, g.oh, g.ow, g.stride_h,
          g.stride_w, g.dilation_h, g.dilation_w, g.pad_top, g.pad_left, omp_get_max_threads()};
}

// oneDNN's window description: dilation counts the gaps (ours - 1); the padding after the input is what
// makes the last window end at the input's edge, at least 0 (TF's SAME puts the larger half after).
struct Window {
  memory::dims strides, dilations, pad_before, pad_after;
};
Window window_of(const Conv2DGeometry& g) {
  auto after = [](int64_t out, int64_t stride, int64_t taps, int64_t dilation, int64_t in, int64_t before) {
    return std::max<int64_t>(0, (out - 1) * stride + (taps - 1) * dilation + 1 - in - before);
  };
  return {{g.stride_h, g.stride_w},
          {g.dilation_h - 1, g.dilation_w - 1},
          {g.pad_top, g.pad_left},
          {after(g.oh, g.stride_h, g.kh, g.dilation_h, g.h, g.pad_top),
           after(g.ow, g.stride_w, g.kw, g.dilation_w, g.w, g.pad_left)}};
}

// The cached primitives of g, with the one for `pass` created (under the cache's lock).
const ConvPrimitives& primitives_for(const Conv2DGeometry& g, ConvPass pass) {
  static std::mutex mutex;
  static std::map<Key, std::unique_ptr<ConvPrimitives>> cache;
  const std::lock_guard lock(mutex);
  std::unique_ptr<ConvPrimitives>& p = cache[key_of(g)];
  const Window win = window_of(g);
  if (!p) {
    const memory::desc src({g.n, g.c, g.h, g.w}, memory::data_type::f32, Tag::nhwc);
    const memory::desc weights({g.o, g.c, g.kh, g.kw}, memory::data_type::f32, Tag::hwio);
    const memory::desc dst({g.n, g.o, g.oh, g.ow}, memory::data_type::f32, Tag::nhwc);
    const memory::desc any({g.o, g.c, g.kh, g.kw}, memory::data_type::f32, Tag::any);
    const dnnl::convolution_forward::primitive_desc pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src,
                                        any, dst, win.strides, win.dilations, win.pad_before, win.pad_after),
        cpu_engine());
    p = std::make_unique<ConvPrimitives>(ConvPrimitives{src, weights, dst, pd, {}, {}, {}});
    p->forward = std::make_unique<ConvPass1>(ConvPass1{dnnl::convolution_forward(pd), pd.weights_desc()});
  }
  const memory::desc any({g.o, g.c, g.kh, g.kw}, memory::data_type::f32, Tag::any);
  if (pass == ConvPass::kBackwardInput && !p->backward_data) {
    const dnnl::convolution_backward_data::primitive_desc pd(
        dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, p->src, any, p->dst,
                                              win.strides, win.dilations, win.pad_before, win.pad_after),
        cpu_engine(), p->forward_pd);
    p->backward_data = std::make_unique<ConvPass1>(ConvPass1{dnnl::convolution_backward_data(pd), pd.weights_desc()});
  }
  if (pass == ConvPass::kBackwardFilter && !p->backward_weights) {
    const dnnl::convolution_backward_weights::primitive_desc pd(
        dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, p->src, any, p->dst,
                                                 win.strides, win.dilations, win.pad_before, win.pad_after),
        cpu_engine(), p->forward_pd);
    p->backward_weights =
        std::make_unique<ConvPass1>(ConvPass1{dnnl::convolution_backward_weights(pd), pd.diff_weights_desc()});
  }
  if (pass == ConvPass::kForwardBiasRelu && !p->forward_bias_relu) {
    dnnl::post_ops relu;
    relu.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(relu);
    const dnnl::convolution_forward::primitive_desc pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        p->src, any, bias_desc(g), p->dst, win.strides, win.dilations,
                                        win.pad_before, win.pad_after),
        attr, cpu_engine());
    p->forward_bias_relu = std::make_unique<ConvPass1>(ConvPass1{dnnl::convolution_forward(pd), pd.weights_desc()});
  }
  return *p;
}

memory wrap(const memory::desc& desc, const float* data) {
  return memory(desc, cpu_engine(), const_cast<float*>(data));  // oneDNN reads inputs through non-const handles
}

// Runs pass.primitive with `filter` (HWIO, an input or, with filter_is_output, the output) bound to `filter_arg`
// through a reorder when the primitive keeps filters in another layout.
void run(const ConvPass1& pass, const memory::desc& hwio, int filter_arg, const float* filter, bool filter_is_output,
         std::unordered_map<int, memory> args) {
  dnnl::stream stream(cpu_engine());
  memory user = wrap(hwio, filter);
  const bool reorder = pass.weights != hwio;
  memory inner = reorder ? memory(pass.weights, cpu_engine()) : user;
  if (reorder && !filter_is_output) dnnl::reorder(user, inner).execute(stream, user, inner);
  args.insert({filter_arg, inner});
  pass.primitive.execute(stream, args);
  if (reorder && filter_is_output) dnnl::reorder(inner, user).execute(stream, inner, user);
  stream.wait();
}

}  // namespace

namespace direct {

int64_t conv2d_scratch_size(ConvPass, const Conv2DGeometry&) { return 0; }  // oneDNN keeps its own scratchpad

void conv2d_forward(const float* input, const float* filter, float* out, float*, const Conv2DGeometry& g) {
  const ConvPrimitives& p = primitives_for(g, ConvPass::kForward);
  run(*p.forward, p.weights, DNNL_ARG_WEIGHTS, filter, false,
      {{DNNL_ARG_SRC, wrap(p.src, input)}, {DNNL_ARG_DST, wrap(p.dst, out)}});
}

void conv2d_bias_relu_forward(const float* input, const float* filter, const float* bias, float* out, float*,
                              const Conv2DGeometry& g) {
  const ConvPrimitives& p = primitives_for(g, ConvPass::kForwardBiasRelu);
  run(*p.forward_bias_relu, p.weights, DNNL_ARG_WEIGHTS, filter, false,
      {{DNNL_ARG_SRC, wrap(p.src, input)},
       {DNNL_ARG_BIAS, wrap(bias_desc(g), bias)},
       {DNNL_ARG_DST, wrap(p.dst, out)}});
}

void conv2d_backward_input(const float* d_out, const float* filter, float* d_input, float*,
                           const Conv2DGeometry& g) {
  const ConvPrimitives& p = primitives_for(g, ConvPass::kBackwardInput);
  run(*p.backward_data, p.weights, DNNL_ARG_WEIGHTS, filter, false,
      {{DNNL_ARG_DIFF_DST, wrap(p.dst, d_out)}, {DNNL_ARG_DIFF_SRC, wrap(p.src, d_input)}});
}

void conv2d_backward_filter(const float* input, const float* d_out, float* d_filter, float*,
                            const Conv2DGeometry& g) {
  const ConvPrimitives& p = primitives_for(g, ConvPass::kBackwardFilter);
  run(*p.backward_weights, p.weights, DNNL_ARG_DIFF_WEIGHTS, d_filter, true,
      {{DNNL_ARG_SRC, wrap(p.src, input)}, {DNNL_ARG_DIFF_DST, wrap(p.dst, d_out)}});
}

}  // namespace direct
}  // namespace tapeflow::kernels::cpu
