// The hand-written CUDA kernels against the CPU on awkward sizes: 1, 3, 33, 257, 1000 and 1027 (a
// 16-byte vector plus a 3-element tail), on aligned buffers and on views one element off alignment.
// Every CUDA run goes into poisoned memory (cuda_poison.h). Skipped without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "cuda_poison.h"
#include "engine/memory/device_memory.h"
#include "engine/tensor_internal.h"
#include "error_of.h"
#include "op_determinism_on.h"
#include "ops/op_case.h"

namespace tapeflow::testing {
namespace {

const int64_t kSizes[] = {1, 3, 33, 257, 1000, 1027};

class CudaKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device on this machine";
  }
};

Tensor gpu(const Tensor& t) { return t.to(Device::cuda()); }

// f on CPU inputs vs f on their CUDA copies: relative error within `tolerance`, same shape and dtype.
void expect_same(const std::string& what, const std::function<Tensor(const std::vector<Tensor>&)>& f,
                 const std::vector<Tensor>& inputs, double tolerance = 1e-6) {
  std::vector<Tensor> on_gpu;
  for (const Tensor& t : inputs) on_gpu.push_back(gpu(t));
  const Tensor want = f(inputs);
  poison_cuda_blocks({want.shape(), want.shape()});
  const Tensor got = f(on_gpu);
  ASSERT_TRUE(got.device().is_cuda()) << what;
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  EXPECT_LE(relative_error(got.to(Device::cpu()), want), tolerance) << what;
}

// The last n elements of a fresh [n + 1] tensor: 4 bytes past the allocation's alignment, so the
// vectorized paths must fall back.
Tensor misaligned(const Tensor& t) {
  const int64_t n = t.num_elements();
  Tensor base = Tensor::empty({n + 1}, t.dtype(), t.device());
  Tensor view = detail::rows(base, 1, n);
  memory::copy(view.device(), view.raw_data(), t.device(), t.raw_data(), t.nbytes());
  return reshape(view, t.shape());
}

TEST_F(CudaKernels, UnaryAndActivationGradsOnAwkwardSizes) {
  using Fn = Tensor (*)(const Tensor&);
  const std::pair<const char*, Fn> ops[] = {{"neg", neg},         {"exp", exp},         {"square", square},
                                            {"relu", nn::relu},   {"sigmoid", sigmoid}, {"tanh", tanh}};
  for (int64_t n : kSizes) {
    const Tensor x = random::normal({n}, 0.f, 1.f, 100 + n);
    const Tensor positive = random::uniform({n}, 0.5f, 2.f, 200 + n);
    for (const auto& [name, fn] : ops) {
      expect_same(std::string(name) + " n=" + std::to_string(n), [fn](const auto& in) { return fn(in[0]); }, {x});
      // The backward through the fused activation_grad kernels (and mul for the others).
      expect_same(std::string(name) + " backward n=" + std::to_string(n), [fn](const auto& in) {
        GradientTape tape;
        tape.watch(in[0]);
        const Tensor y = fn(in[0]);
        return tape.gradient(reduce_sum(mul(y, in[1])), {in[0]})[0];
      }, {x, positive}, 1e-5);
    }
    expect_same("log n=" + std::to_string(n), [](const auto& in) { return log(in[0]); }, {positive});
    expect_same("sqrt n=" + std::to_string(n), [](const auto& in) { return sqrt(in[0]); }, {positive});
    expect_same("exp misaligned n=" + std::to_string(n), [](const auto& in) { return exp(misaligned(in[0])); }, {x});
  }
}

TEST_F(CudaKernels, BinaryOpsBroadcastAndDtypes) {
  using Fn = Tensor (*)(const Tensor&, const Tensor&);
  const std::pair<const char*, Fn> ops[] = {{"add", add},         {"sub", sub},         {"mul", mul},
                                            {"div", div},         {"pow", pow},         {"maximum", maximum},
                                            {"minimum", minimum}};
  for (int64_t n : kSizes) {
    const Tensor a = random::uniform({n}, 0.5f, 2.f, 300 + n);
    const Tensor b = random::uniform({n}, 0.5f, 2.f, 400 + n);
    const Tensor scalar = fill({}, 1.25f);
    const Tensor rows = random::uniform({3, n}, 0.5f, 2.f, 500 + n);
    const Tensor column = random::uniform({3, 1}, 0.5f, 2.f, 600 + n);
    for (const auto& [name, fn] : ops) {
      const std::string tag = std::string(name) + " n=" + std::to_string(n);
      const auto f = [fn](const auto& in) { return fn(in[0], in[1]); };
      const double tolerance = std::string(name) == "pow" ? 1e-6 : 0;  // powf may differ by an ulp
      expect_same(tag + " same shape", f, {a, b}, tolerance);
      expect_same(tag + " scalar right", f, {a, scalar}, tolerance);
      expect_same(tag + " scalar left", f, {scalar, b}, tolerance);
      expect_same(tag + " rows x row", f, {rows, b}, tolerance);
      expect_same(tag + " rows x column", f, {rows, column}, tolerance);
      expect_same(tag + " column x row", f, {column, a}, tolerance);
      expect_same(tag + " misaligned", [fn](const auto& in) { return fn(misaligned(in[0]), in[1]); }, {a, b},
                  tolerance);
    }
    for (DType dt : {DType::kInt32, DType::kInt64}) {
      const Tensor ia = cast(random::uniform_int({n}, -50, 50, 700 + n), dt);
      const Tensor ib = cast(random::uniform_int({3, n}, 1, 50, 800 + n), dt);
      for (Fn fn : {Fn(add), Fn(sub), Fn(mul), Fn(maximum), Fn(minimum)})
        expect_same("int n=" + std::to_string(n), [fn](const auto& in) { return fn(in[0], in[1]); }, {ia, ib}, 0);
    }
  }
}

TEST_F(CudaKernels, ComparesCastsAndFills) {
  using Fn = Tensor (*)(const Tensor&, const Tensor&);
  for (int64_t n : kSizes) {
    // Rounded values so that equality occurs.
    const Tensor a = cast(cast(random::normal({n}, 0.f, 2.f, 900 + n), DType::kInt32), DType::kFloat32);
    const Tensor b = cast(cast(random::normal({2, n}, 0.f, 2.f, 1000 + n), DType::kInt32), DType::kFloat32);
    for (Fn fn : {Fn(equal), Fn(not_equal), Fn(less), Fn(less_equal), Fn(greater), Fn(greater_equal)}) {
      expect_same("compare n=" + std::to_string(n), [fn](const auto& in) { return fn(in[0], in[1]); }, {a, b}, 0);
      expect_same("compare int64 n=" + std::to_string(n), [fn](const auto& in) {
        return fn(cast(in[0], DType::kInt64), cast(in[1], DType::kInt64));
      }, {a, b}, 0);
    }
    const Tensor x = random::normal({n}, 0.f, 100.f, 1100 + n);
    for (DType from : {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kUInt8, DType::kBool})
      for (DType to : {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kBool}) {
        const Tensor source = cast(x, from);  // made on the CPU: the CUDA side starts from the same bits
        expect_same("cast " + std::string(dtype_name(from)) + "->" + std::string(dtype_name(to)) +
                        " n=" + std::to_string(n),
                    [to](const auto& in) { return cast(in[0], to); }, {source}, 0);
      }
    for (DType dt : {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kUInt8, DType::kBool}) {
      const Tensor want = ones({n, 3}, dt);
      EXPECT_EQ(relative_error(ones({n, 3}, dt, Device::cuda()).to(Device::cpu()), want), 0.0) << dtype_name(dt);
    }
    EXPECT_EQ(relative_error(fill({n}, -2.5f, Device::cuda()).to(Device::cpu()), fill({n}, -2.5f)), 0.0);
  }
}

TEST_F(CudaKernels, ReductionsOverEveryLayout) {
  // 2 to 20: a few lanes per row; 33 to 1027: a warp; 5000 puts rows past the warp-per-row limit (a block per row).
  for (int64_t n : {1, 2, 3, 6, 10, 20, 33, 257, 1000, 1027, 5000}) {
    const Tensor x = random::normal({2, n, 3}, 0.f, 1.f, 1200 + n);
    const Tensor distinct = make_input({.shape = {3, n}, .values = Values::kDistinct}, 1300 + n);
    for (const std::vector<int>& axes : std::vector<std::vector<int>>{{}, {0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1}}) {
      const std::string tag = "n=" + std::to_string(n) + " axes " + std::to_string(axes.size());
      expect_same("reduce_sum " + tag, [axes](const auto& in) { return reduce_sum(in[0], axes); }, {x}, 1e-6);
      expect_same("reduce_mean " + tag, [axes](const auto& in) { return reduce_mean(in[0], axes, true); }, {x}, 1e-6);
      expect_same("reduce_max " + tag, [axes](const auto& in) { return reduce_max(in[0], axes); }, {x}, 0);
    }
    for (int axis : {0, 1}) {
      expect_same("argmax n=" + std::to_string(n), [axis](const auto& in) { return argmax(in[0], axis); },
                  {distinct}, 0);
      expect_same("reduce_max backward n=" + std::to_string(n), [axis](const auto& in) {
        GradientTape tape;
        tape.watch(in[0]);
        return tape.gradient(reduce_sum(reduce_max(in[0], {axis})), {in[0]})[0];
      }, {distinct}, 0);
    }
  }
}

TEST_F(CudaKernels, ColumnReductionsSplitOverBlocksMatchTheCpu) {
  // A conv bias's gradient: few columns over a long n, which the GPU cuts into chunks and combines.
  const Tensor bias_grad_shaped = random::normal({50 * 28 * 28, 32}, 0.f, 1.f, 1400);
  expect_same("reduce_sum [39200, 32] axis 0", [](const auto& in) { return reduce_sum(in[0], {0}); },
              {bias_grad_shaped}, 1e-6);
  expect_same("reduce_max [39200, 32] axis 0", [](const auto& in) { return reduce_max(in[0], {0}); },
              {bias_grad_shaped}, 0);
  // A NaN deep in one chunk still wins the column, through the partials.
  std::vector<float> values(5000 * 3, 1.f);
  values[3001 * 3 + 1] = std::nanf("");
  const std::vector<float> max_columns = reduce_max(gpu(constant(values, {5000, 3})), {0}).numpy<float>();
  EXPECT_EQ(max_columns[0], 1.f);
  EXPECT_TRUE(std::isnan(max_columns[1])) << max_columns[1];
  EXPECT_EQ(max_columns[2], 1.f);
}

TEST_F(CudaKernels, ReductionsKeepTheCpuNanAndTieRules) {
  const float nan = std::nanf("");
  const Tensor x = constant<float>({{1.f, nan, 3.f}, {nan, 2.f, 2.f}, {5.f, 5.f, -1.f}});
  EXPECT_EQ(argmax(gpu(x), 1).numpy<int64_t>(), argmax(x, 1).numpy<int64_t>());  // NaN first: 0; ties: first
  const std::vector<float> max_rows = reduce_max(gpu(x), {1}).numpy<float>();
  EXPECT_TRUE(std::isnan(max_rows[0]) && std::isnan(max_rows[1])) << "NaN wins";
  EXPECT_EQ(max_rows[2], 5.f);
  EXPECT_EQ(reduce_sum(gpu(zeros({4, 0}, DType::kFloat32)), {1}).numpy<float>(), std::vector<float>(4, 0.f));
}

// The fused sparse softmax cross-entropy on CUDA against the CPU: the loss, and its gradient.
void expect_xent_matches_the_cpu(const Tensor& logits, const Tensor& labels, const std::string& tag) {
  const auto xent = [](const auto& in) { return nn::sparse_softmax_cross_entropy_with_logits(in[1], in[0]); };
  expect_same("xent " + tag, xent, {logits, labels}, 1e-6);
  expect_same("xent backward " + tag, [xent](const auto& in) {
    GradientTape tape;
    tape.watch(in[0]);
    return tape.gradient(reduce_sum(xent(in)), {in[0]})[0];
  }, {logits, labels}, 1e-5);
}

TEST_F(CudaKernels, SoftmaxFamilyForwardAndBackward) {
  // Cross-entropy: up to 32, a thread per row; 36, 200, 400 and 1000, a warp holding the row in registers.
  for (int64_t n : {1, 2, 3, 6, 10, 20, 32, 33, 36, 200, 257, 400, 1000, 1027, 5000}) {
    const Tensor x = random::normal({3, n}, 0.f, 3.f, 1400 + n);
    const Tensor w = random::normal({3, n}, 0.f, 1.f, 1500 + n);
    for (bool log_form : {false, true})
      for (int axis : {0, 1}) {
        const auto f = [log_form, axis](const std::vector<Tensor>& in) {
          return log_form ? nn::log_softmax(in[0], axis) : nn::softmax(in[0], axis);
        };
        const std::string tag = std::string(log_form ? "log_softmax" : "softmax") + " axis " + std::to_string(axis) +
                                " n=" + std::to_string(n);
        expect_same(tag, f, {x}, 1e-6);
        expect_same(tag + " backward", [f](const auto& in) {
          GradientTape tape;
          tape.watch(in[0]);
          return tape.gradient(reduce_sum(mul(f(in), in[1])), {in[0]})[0];
        }, {x, w}, 1e-5);
      }
    // The fused sparse softmax cross-entropy, 7 rows of n classes.
    expect_xent_matches_the_cpu(random::normal({7, n}, 0.f, 3.f, 1600 + n), random::uniform_int({7}, 0, n, 1700 + n),
                                "n=" + std::to_string(n));
  }
}

// Many rows: a thread per row stages 256-row tiles, here three and a partial one whose floats do not end on
// a float4 (n = 3, 10, 31), and with 10^6 rows several tiles per resident block (an H200 holds at most 1,056
// blocks at once); a warp per row, eight rows a block, walks 20,001 rows in a grid-stride loop (36, 1000).
TEST_F(CudaKernels, CrossEntropyOverManyRows) {
  const std::pair<int64_t, int64_t> shapes[] = {{901, 3},    {901, 10},    {901, 31},
                                                {1000000, 10}, {20001, 36}, {20001, 1000}};
  for (const auto& [rows, n] : shapes) {
    const Tensor logits = random::normal({rows, n}, 0.f, 3.f, 2000 + n);
    const Tensor labels = random::uniform_int({rows}, 0, n, 2100 + n);
    expect_xent_matches_the_cpu(logits, labels, std::to_string(rows) + " rows, n=" + std::to_string(n));
    // Logits 4 bytes past 16-byte alignment: the tiles move scalars; the register form gives way.
    GradientTape tape;
    const Tensor shifted = misaligned(gpu(logits)), labels_on_gpu = gpu(labels);
    poison_cuda_blocks({labels.shape(), logits.shape()});  // the loss and the gradient
    tape.watch(shifted);
    const Tensor loss = nn::sparse_softmax_cross_entropy_with_logits(labels_on_gpu, shifted);
    const Tensor grad = tape.gradient(reduce_sum(loss), {shifted})[0];
    GradientTape cpu_tape;
    cpu_tape.watch(logits);
    const Tensor want_loss = nn::sparse_softmax_cross_entropy_with_logits(labels, logits);
    const Tensor want_grad = cpu_tape.gradient(reduce_sum(want_loss), {logits})[0];
    EXPECT_LE(relative_error(loss.to(Device::cpu()), want_loss), 1e-6) << "misaligned n=" << n;
    EXPECT_LE(relative_error(grad.to(Device::cpu()), want_grad), 1e-5) << "misaligned n=" << n;
  }
}

// On CUDA a bad label or index is thrown by the next read from the device (kernels/cuda/bad_input.cuh),
// naming the lowest bad position as the CPU's check does at once; in each of the cross-entropy's row forms.
TEST_F(CudaKernels, CrossEntropyNamesABadLabelAsTheCpuDoes) {
  for (int64_t n : {5, 40, 33}) {
    const Tensor logits = random::normal({4, n}, 0.f, 1.f, 1);
    const Tensor labels = constant<int64_t>({0, 4, n + 2, -1});
    const std::string cpu = error_of([&] { nn::sparse_softmax_cross_entropy_with_logits(labels, logits); });
    const std::string want = "label " + std::to_string(n + 2) + " at position 2 is out of range for " +
                             std::to_string(n) + " classes";
    EXPECT_NE(cpu.find(want), std::string::npos) << cpu;
    const Tensor on_gpu = gpu(logits);
    GradientTape tape;
    tape.watch(on_gpu);
    const Tensor loss = nn::sparse_softmax_cross_entropy_with_logits(gpu(labels), on_gpu);
    const Tensor grad = tape.gradient(reduce_sum(loss), {on_gpu})[0];
    const std::string cuda = error_of([&] { (void)loss.numpy<float>(); });
    EXPECT_EQ(cuda.substr(0, cpu.size()), cpu) << cuda;
    // Once read, the report is cleared. The bad rows hold a NaN loss and a zero gradient (so that the weights
    // survive until the host hears of it); the good rows neither.
    const std::vector<float> losses = loss.numpy<float>(), grads = grad.numpy<float>();
    for (int64_t r = 0; r < 4; ++r) {
      EXPECT_EQ(std::isnan(losses[r]), r >= 2) << "n=" << n << " row " << r;
      for (int64_t k = 0; k < n; ++k) {
        if (r >= 2) EXPECT_EQ(grads[r * n + k], 0.f) << "n=" << n << " row " << r;
        else EXPECT_FALSE(std::isnan(grads[r * n + k])) << "n=" << n << " row " << r;
      }
    }
  }
}

TEST_F(CudaKernels, TransposeSliceConcatGatherOneHot) {
  for (int64_t n : {1, 3, 33, 257, 1027}) {
    const Tensor x = random::normal({2, n, 3, 5}, 0.f, 1.f, 1800 + n);
    for (const std::vector<int>& perm : std::vector<std::vector<int>>{
             {1, 0, 2, 3}, {0, 1, 3, 2}, {3, 2, 1, 0}, {0, 3, 1, 2}, {2, 0, 3, 1}, {1, 2, 3, 0}}) {
      expect_same("transpose n=" + std::to_string(n), [perm](const auto& in) { return transpose(in[0], perm); }, {x}, 0);
      expect_same("transpose int64 n=" + std::to_string(n),
                  [perm](const auto& in) { return transpose(cast(in[0] * 10.f, DType::kInt64), perm); }, {x}, 0);
    }
    const Tensor m = random::normal({n, 37}, 0.f, 1.f, 1900 + n);
    expect_same("transpose 2-D n=" + std::to_string(n), [](const auto& in) { return transpose(in[0]); }, {m}, 0);
    expect_same("slice n=" + std::to_string(n),
                [n](const auto& in) { return slice(in[0], {0, n / 2, 1, 2}, {2, n - n / 2, 2, 3}); }, {x}, 0);
    expect_same("slice backward n=" + std::to_string(n), [n](const auto& in) {
      GradientTape tape;
      tape.watch(in[0]);
      return tape.gradient(reduce_sum(slice(in[0], {1, 0, 1, 0}, {1, n, 1, 5})), {in[0]})[0];
    }, {x}, 0);
    expect_same("concat n=" + std::to_string(n),
                [](const auto& in) { return concat({in[0], in[0] * 2.f, in[0]}, 1); }, {x}, 0);
    const Tensor ids = random::uniform_int({n}, 0, 37, 2000 + n);
    expect_same("gather n=" + std::to_string(n), [](const auto& in) { return gather(in[0], in[1], 1); }, {m, ids}, 0);
    expect_same("gather backward n=" + std::to_string(n), [](const auto& in) {
      GradientTape tape;
      tape.watch(in[0]);
      return tape.gradient(reduce_sum(gather(in[0], in[1], 1) * 3.f), {in[0]})[0];
    }, {m, ids}, 1e-6);
    expect_same("one_hot n=" + std::to_string(n), [](const auto& in) { return one_hot(in[0], 37); }, {ids}, 0);
  }
  const Tensor params = random::normal({4, 3}, 0.f, 1.f, 3);
  const Tensor bad = constant<int64_t>({1, 9, 2});
  const std::string cpu = error_of([&] { gather(params, bad); });
  const Tensor gathered = gather(gpu(params), gpu(bad));
  const std::string cuda = error_of([&] { (void)gathered.numpy<float>(); });
  EXPECT_NE(cpu.find("gather: index 9 at position 1 is out of range [0, 4)"), std::string::npos) << cpu;
  EXPECT_EQ(cuda.find("gather: index 9 at position 1 is out of range [0, 4)"), 0u) << cuda;
}

TEST_F(CudaKernels, OpDeterminismRepeatsGatherAndConvGradientsBitForBit) {
  const OpDeterminismOn on;
  // An embedding's gradient, each of 37 rows gathered ~100 times: summed in index order, as the CPU.
  const Tensor table = random::normal({37, 5}, 0.f, 1.f, 2100);
  const Tensor ids = random::uniform_int({4000}, 0, 37, 2101);
  const Tensor weights = random::normal({4000, 5}, 0.f, 1.f, 2102);
  expect_same("gather backward with op determinism", [](const auto& in) {
    GradientTape tape;
    tape.watch(in[0]);
    return tape.gradient(reduce_sum(gather(in[0], in[1]) * in[2]), {in[0]})[0];
  }, {table, ids, weights}, 0);

  // The CNN's second conv, forward and backward: two runs agree bit for bit, and with the CPU to rounding.
  const Tensor x = random::normal({8, 14, 14, 32}, 0.f, 1.f, 2103);
  const Tensor filters = random::normal({5, 5, 32, 64}, 0.f, 0.1f, 2104);
  const Tensor dy = random::normal({8, 14, 14, 64}, 0.f, 1.f, 2105);
  const auto conv_gradients = [&](Device device) {
    const Tensor x_on = x.to(device), filters_on = filters.to(device);
    GradientTape tape;
    tape.watch(x_on);
    tape.watch(filters_on);
    const Tensor loss = reduce_sum(nn::conv2d(x_on, filters_on, {1, 1}, nn::Padding::kSame) * dy.to(device));
    std::vector<std::vector<float>> values;
    for (const Tensor& g : tape.gradient(loss, {x_on, filters_on}))
      values.push_back(g.to(Device::cpu()).numpy<float>());
    return values;
  };
  const auto first = conv_gradients(Device::cuda()), second = conv_gradients(Device::cuda());
  const auto cpu = conv_gradients(Device::cpu());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i], second[i]) << "gradient " << i << " differs between two runs";
    const Shape flat{int64_t(first[i].size())};
    EXPECT_LE(relative_error(constant(first[i], flat), constant(cpu[i], flat)), 1e-5) << "gradient " << i;
  }
}

}  // namespace
}  // namespace tapeflow::testing
