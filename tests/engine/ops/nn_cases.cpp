// Op-table rows for the nn family (engine/ops/softmax.cpp, conv.cpp, pool.cpp, dropout.cpp): awkward
// sizes (batch 1, odd H/W, channels 1/3/5, stride 2 over odd sizes, SAME and VALID, dilation 2, 1x1),
// each checked against plain loops that compute TF's padding themselves.
#include <algorithm>
#include <cmath>

#include "kernels/philox.h"
#include "ops/op_case.h"
#include "ops/reference.h"

namespace tapeflow::testing {

namespace {

using nn::Padding;
using Inputs = std::vector<Tensor>;

// TF's rule for one spatial dim, written out here so the op's own helper is checked, not reused.
struct Dim {
  int64_t out, before;
};
Dim tf_dim(int64_t in, int64_t k, int64_t s, int64_t d, Padding p) {
  const int64_t effective = (k - 1) * d + 1;
  if (p == Padding::kValid) return {(in - effective + s) / s, 0};
  const int64_t out = (in + s - 1) / s;
  return {out, std::max<int64_t>((out - 1) * s + effective - in, 0) / 2};
}

struct Window {
  std::array<int, 2> k, strides;
  Padding padding;
  std::array<int, 2> dilations = {1, 1};
};

// The direct 7-loop convolution: input [N, H, W, C], filters [KH, KW, C, O], in double.
Tensor naive_conv2d(const Tensor& input, const Tensor& filters, const Window& win) {
  const Shape& si = input.shape();
  const Shape& sf = filters.shape();
  const int64_t n = si[0], h = si[1], w = si[2], c = si[3], kh = sf[0], kw = sf[1], o = sf[3];
  const Dim dh = tf_dim(h, kh, win.strides[0], win.dilations[0], win.padding);
  const Dim dw = tf_dim(w, kw, win.strides[1], win.dilations[1], win.padding);
  const std::vector<float> x = input.numpy<float>(), f = filters.numpy<float>();
  std::vector<float> y(static_cast<size_t>(n * dh.out * dw.out * o));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oh = 0; oh < dh.out; ++oh)
      for (int64_t ow = 0; ow < dw.out; ++ow)
        for (int64_t oc = 0; oc < o; ++oc) {
          double s = 0;
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j)
              for (int64_t ic = 0; ic < c; ++ic) {
                const int64_t ih = oh * win.strides[0] - dh.before + i * win.dilations[0];
                const int64_t iw = ow * win.strides[1] - dw.before + j * win.dilations[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                s += double(x[((b * h + ih) * w + iw) * c + ic]) * f[((i * kw + j) * c + ic) * o + oc];
              }
          y[((b * dh.out + oh) * dw.out + ow) * o + oc] = static_cast<float>(s);
        }
  return constant(y, {n, dh.out, dw.out, o});
}

// Max or mean over the in-bounds elements of each window of input [N, H, W, C].
Tensor naive_pool(const Tensor& input, const Window& win, bool max) {
  const Shape& si = input.shape();
  const int64_t n = si[0], h = si[1], w = si[2], c = si[3];
  const Dim dh = tf_dim(h, win.k[0], win.strides[0], 1, win.padding);
  const Dim dw = tf_dim(w, win.k[1], win.strides[1], 1, win.padding);
  const std::vector<float> x = input.numpy<float>();
  std::vector<float> y(static_cast<size_t>(n * dh.out * dw.out * c));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oh = 0; oh < dh.out; ++oh)
      for (int64_t ow = 0; ow < dw.out; ++ow)
        for (int64_t ch = 0; ch < c; ++ch) {
          double best = -INFINITY, sum = 0;
          int64_t count = 0;
          for (int64_t i = 0; i < win.k[0]; ++i)
            for (int64_t j = 0; j < win.k[1]; ++j) {
              const int64_t ih = oh * win.strides[0] - dh.before + i, iw = ow * win.strides[1] - dw.before + j;
              if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
              const double v = x[((b * h + ih) * w + iw) * c + ch];
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          y[((b * dh.out + oh) * dw.out + ow) * c + ch] = static_cast<float>(max ? best : sum / count);
        }
  return constant(y, {n, dh.out, dw.out, c});
}

// Softmax or log_softmax along `axis`, lane by lane, in double.
Tensor naive_softmax(const Tensor& x, int axis, bool log) {
  const Shape& s = x.shape();
  const int a = axis < 0 ? axis + s.rank() : axis;
  const int64_t stride = strides_of(s)[a], n = s[a];
  const std::vector<float> v = x.numpy<float>();
  std::vector<float> y(v.size());
  for (int64_t start = 0; start < s.num_elements(); ++start) {
    if ((start / stride) % n != 0) continue;  // not the first element of its lane
    double m = -INFINITY, sum = 0;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, double(v[start + i * stride]));
    for (int64_t i = 0; i < n; ++i) sum += std::exp(v[start + i * stride] - m);
    for (int64_t i = 0; i < n; ++i) {
      const double z = v[start + i * stride] - m;
      y[start + i * stride] = static_cast<float>(log ? z - std::log(sum) : std::exp(z) / sum);
    }
  }
  return constant(y, s);
}

Tensor naive_xent(const Tensor& labels, const Tensor& logits) {
  const int64_t n = logits.shape()[logits.rank() - 1];
  const std::vector<int64_t> l = cast(labels, DType::kInt64).numpy<int64_t>();
  const std::vector<float> x = logits.numpy<float>();
  std::vector<float> loss(l.size());
  for (size_t r = 0; r < l.size(); ++r) {
    double m = -INFINITY, sum = 0;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, double(x[r * n + i]));
    for (int64_t i = 0; i < n; ++i) sum += std::exp(x[r * n + i] - m);
    loss[r] = static_cast<float>(m + std::log(sum) - x[r * n + l[r]]);
  }
  return constant(loss, labels.shape());
}

// Element i is dropped when word i % 4 of Philox block i / 4 (key = seed) is below rate * 2^32.
Tensor naive_dropout(const Tensor& x, float rate, uint64_t seed) {
  std::vector<float> v = x.numpy<float>();
  for (size_t i = 0; i < v.size(); ++i) {
    const uint32_t word = kernels::philox4x32(seed, i / 4).x[i % 4];
    v[i] = double(word) < double(rate) * 4294967296.0 ? 0.f : v[i] / (1.f - rate);
  }
  return constant(v, x.shape());
}

std::string label(const Window& w) {
  std::string s = std::to_string(w.k[0]) + "x" + std::to_string(w.k[1]) + "_s" + std::to_string(w.strides[0]) +
                  std::to_string(w.strides[1]) + (w.padding == Padding::kSame ? "_same" : "_valid");
  if (w.dilations != std::array<int, 2>{1, 1})
    s += "_d" + std::to_string(w.dilations[0]) + std::to_string(w.dilations[1]);
  return s;
}

std::string shape_label(const Shape& s) {
  std::string out;
  for (int64_t d : s) {
    if (!out.empty()) out += 'x';
    out += std::to_string(d);
  }
  return out;
}

void add_conv(std::vector<OpCase>& cases, Shape input, int64_t out_channels, Window win) {
  const Shape filters{win.k[0], win.k[1], input[3], out_channels};
  cases.push_back({.op = OpId::k_conv2d,
                   .name = "conv2d_" + shape_label(input) + "_o" + std::to_string(out_channels) + "_" + label(win),
                   .inputs = {{.shape = input}, {.shape = filters}},
                   .run = [win](const Inputs& in) {
                     return nn::conv2d(in[0], in[1], win.strides, win.padding, win.dilations);
                   },
                   .reference = [win](const Inputs& in) { return naive_conv2d(in[0], in[1], win); }});
}

// relu(conv2d + bias) by the naive conv and plain loops.
Tensor naive_conv2d_bias_relu(const Tensor& input, const Tensor& filters, const Tensor& bias, const Window& win) {
  const Tensor pre = naive_conv2d(input, filters, win);
  std::vector<float> y = pre.numpy<float>();
  const std::vector<float> b = bias.numpy<float>();
  for (size_t i = 0; i < y.size(); ++i) y[i] = std::max(y[i] + b[i % b.size()], 0.f);
  return constant(y, pre.shape());
}

void add_conv_bias_relu(std::vector<OpCase>& cases, Shape input, int64_t out_channels, Window win) {
  const Shape filters{win.k[0], win.k[1], input[3], out_channels};
  cases.push_back({.op = OpId::k_conv2d_bias_relu,
                   .name = "conv2d_bias_relu_" + shape_label(input) + "_o" + std::to_string(out_channels) + "_" +
                           label(win),
                   .inputs = {{.shape = input}, {.shape = filters}, {.shape = {out_channels}}},
                   .run = [win](const Inputs& in) {
                     return nn::conv2d_bias_relu(in[0], in[1], in[2], win.strides, win.padding, win.dilations);
                   },
                   .reference = [win](const Inputs& in) { return naive_conv2d_bias_relu(in[0], in[1], in[2], win); },
                   // Pre-activations are sums of many products, some near 0: a smaller step crosses the ReLU's
                   // kink less often.
                   .fd_step = 1e-3});
}

void add_pool(std::vector<OpCase>& cases, Shape input, Window win) {
  for (const bool max : {true, false}) {
    auto op = max ? nn::max_pool2d : nn::avg_pool2d;
    cases.push_back({.op = max ? OpId::k_max_pool2d : OpId::k_avg_pool2d,
                     .name = std::string(max ? "max" : "avg") + "_pool2d_" + shape_label(input) + "_" + label(win),
                     // Distinct values keep each window's maximum unique, so the gradient is well defined.
                     .inputs = {{.shape = input, .values = Values::kDistinct}},
                     .run = [op, win](const Inputs& in) { return op(in[0], win.k, win.strides, win.padding); },
                     .reference = [win, max](const Inputs& in) { return naive_pool(in[0], win, max); }});
  }
}

void add_softmax(std::vector<OpCase>& cases, Shape shape, int axis) {
  for (const bool log : {false, true}) {
    auto op = log ? nn::log_softmax : nn::softmax;
    const OpId id = log ? OpId::k_log_softmax : OpId::k_softmax;
    cases.push_back({.op = id,
                     .name = std::string(op_name(id)) + "_" + shape_label(shape) + "_axis" + std::to_string(axis),
                     .inputs = {{.shape = shape}},
                     .run = [op, axis](const Inputs& in) { return op(in[0], axis); },
                     .reference = [axis, log](const Inputs& in) { return naive_softmax(in[0], axis, log); }});
  }
}

void add_xent(std::vector<OpCase>& cases, Shape logits, DType label_dtype) {
  const int64_t classes = logits[logits.rank() - 1];
  cases.push_back({.op = OpId::k_sparse_softmax_cross_entropy,
                   .name = "sparse_xent_" + shape_label(logits) + "_" + std::string(dtype_name(label_dtype)),
                   .inputs = {{.shape = Shape(logits.dims().first(logits.rank() - 1)),
                               .dtype = label_dtype,
                               .values = Values::kIndex,
                               .index_limit = classes,
                               .differentiable = false},
                              {.shape = logits}},
                   .run = [](const Inputs& in) {
                     return nn::sparse_softmax_cross_entropy_with_logits(in[0], in[1]);
                   },
                   .reference = [](const Inputs& in) { return naive_xent(in[0], in[1]); }});
}

void add_dropout(std::vector<OpCase>& cases, Shape shape, float rate, uint64_t seed) {
  cases.push_back({.op = OpId::k_dropout,
                   .name = "dropout_" + shape_label(shape) + "_rate" + std::to_string(int(rate * 100)),
                   .inputs = {{.shape = shape}},
                   .run = [rate, seed](const Inputs& in) { return nn::dropout(in[0], rate, true, seed); },
                   .reference = [rate, seed](const Inputs& in) { return naive_dropout(in[0], rate, seed); }});
}

}  // namespace

std::vector<OpCase> nn_cases() {
  std::vector<OpCase> c;
  const Padding same = Padding::kSame, valid = Padding::kValid;
  add_conv(c, {2, 7, 9, 3}, 5, {{3, 3}, {1, 1}, same});
  add_conv(c, {1, 9, 7, 5}, 4, {{3, 2}, {2, 2}, valid});
  add_conv(c, {2, 9, 7, 1}, 3, {{4, 3}, {2, 2}, same});  // even window: the larger padding half goes after
  add_conv(c, {1, 7, 7, 1}, 3, {{5, 5}, {1, 1}, same});  // the notes' first conv, small
  add_conv(c, {1, 3, 2, 2}, 2, {{5, 5}, {1, 1}, same});  // window larger than the input
  add_conv(c, {1, 9, 9, 3}, 2, {{3, 3}, {1, 1}, same, {2, 2}});
  add_conv(c, {2, 9, 7, 2}, 3, {{2, 3}, {1, 2}, valid, {2, 1}});
  add_conv(c, {2, 5, 7, 3}, 4, {{1, 1}, {1, 1}, same});  // pointwise: a GEMM on the input, no im2col
  add_conv(c, {1, 7, 9, 3}, 2, {{1, 1}, {2, 2}, valid});
  add_conv_bias_relu(c, {2, 7, 9, 3}, 5, {{3, 3}, {1, 1}, same});
  add_conv_bias_relu(c, {3, 9, 7, 1}, 3, {{5, 5}, {2, 1}, valid});
  add_conv_bias_relu(c, {1, 9, 9, 3}, 2, {{3, 3}, {1, 1}, same, {2, 2}});
  // Channel counts that take oneDNN's blocked AVX-512 kernels (16-wide), not only its small-channel paths.
  add_conv(c, {2, 8, 8, 16}, 17, {{3, 3}, {2, 2}, same});  // SAME, stride 2, even input: pad 0 before, 1 after
  add_conv(c, {1, 10, 9, 16}, 4, {{3, 3}, {2, 1}, valid, {2, 2}});  // VALID, last input row unread, dilated
  // 5x5 at stride 1 with >= 16 channels: the forward is the Winograd convolution (kernels/cpu/winograd_5x5.h).
  // (Its fused bias + ReLU twin is checked in tests/engine/conv_bias_relu_test.cpp: through a ReLU, finite
  // differences of its rounding, ~1e-4 on these sums of 400 N(0, 1) products, fail either step size.)
  add_conv(c, {2, 9, 6, 17}, 18, {{5, 5}, {1, 1}, same});  // partial 4x4 tiles, channels that fill no vector
  add_conv(c, {1, 9, 7, 16}, 16, {{5, 5}, {1, 1}, valid});

  add_pool(c, {2, 7, 9, 3}, {{2, 2}, {2, 2}, same});
  add_pool(c, {3, 8, 6, 33}, {{2, 2}, {2, 2}, same});  // windows that tile the image: max pool's 2x2 path
  add_pool(c, {1, 9, 7, 5}, {{3, 3}, {2, 2}, valid});
  add_pool(c, {2, 8, 7, 1}, {{3, 3}, {1, 1}, same});  // overlapping windows
  add_pool(c, {1, 5, 5, 2}, {{2, 3}, {1, 2}, valid});
  add_pool(c, {1, 3, 2, 3}, {{4, 4}, {3, 3}, same});  // window larger than the input

  add_softmax(c, {4, 10}, -1);
  add_softmax(c, {3, 5, 7}, 1);
  add_softmax(c, {2, 3, 4}, 0);
  add_softmax(c, {1, 1}, -1);
  add_softmax(c, {6}, 0);

  add_xent(c, {7, 10}, DType::kInt32);
  add_xent(c, {2, 3, 5}, DType::kInt64);
  add_xent(c, {1, 1}, DType::kInt64);

  add_dropout(c, {7, 9}, 0.3f, 42);
  add_dropout(c, {2, 3, 37}, 0.5f, 7);
  return c;
}

}  // namespace tapeflow::testing
