// The table-driven op test (DESIGN.md's op contract): every case of every op family is run forward
// against its reference, its gradient is checked by central differences, and it is compared on CUDA
// against the CPU. An op in engine/ops/ops.def without a case fails EveryOpHasCases.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "cuda_poison.h"
#include "ops/op_case.h"

namespace tapeflow::testing {
namespace {

std::vector<OpCase> all_cases() {
  std::vector<OpCase> cases;
  for (auto family : {math_cases, linalg_cases, reduction_cases, array_cases, nn_cases, lstm_cases})
    for (OpCase& c : family()) cases.push_back(std::move(c));
  return cases;
}

uint64_t seed_of(const std::string& name) { return std::hash<std::string>{}(name) & 0xFFFFFFFFull; }

std::vector<Tensor> make_inputs(const OpCase& c) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) inputs.push_back(make_input(c.inputs[i], seed_of(c.name) + 7919 * i));
  return inputs;
}

bool all_finite(const Tensor& t) {
  if (t.dtype() != DType::kFloat32) return true;
  for (float v : t.numpy<float>())
    if (!std::isfinite(v)) return false;
  return true;
}

// sum(out * weights) in double: the scalar whose gradient the check compares.
double weighted_sum(const Tensor& out, const std::vector<float>& weights) {
  const std::vector<float> o = out.numpy<float>();
  double s = 0;
  for (size_t i = 0; i < o.size(); ++i) s += double(o[i]) * weights[i];
  return s;
}

// Whether the op is differentiable and this case's output is float: then its gradient is checked.
bool has_gradient(const OpCase& c, const Tensor& out) {
  return kOpDifferentiable[static_cast<int>(c.op)] && out.dtype() == DType::kFloat32;
}

// Weights for the weighted sum, seeded by the case.
std::vector<float> weights_for(const OpCase& c, const Tensor& out) {
  return random::normal(out.shape(), 0.f, 1.f, seed_of(c.name) + 1).numpy<float>();
}

// The gradients of sum(out * weights) for every input (undefined where none flows), on the inputs' device.
std::vector<Tensor> weighted_gradients(const OpCase& c, const std::vector<Tensor>& inputs,
                                       const std::vector<float>& weights) {
  GradientTape tape;
  for (const Tensor& input : inputs)
    if (input.dtype() == DType::kFloat32) tape.watch(input);
  const Tensor out = c.run(inputs);
  const Tensor w = constant(weights, out.shape()).to(out.device());
  return tape.gradient(reduce_sum(mul(out, w)), inputs);
}

// CUDA vs CPU gradients: float32 kernels that differ in summation order and by an ulp in libm land
// near 1e-6, and a backward chains several of them, so 2e-5 by default; pow's backward goes through
// powf and logf of both operands and gets 1e-4.
double cuda_gradient_tolerance(const OpCase& c) {
  const double floor = c.op == OpId::k_pow ? 1e-4 : 2e-5;
  return std::max(c.forward_tolerance, floor);
}

class OpTable : public ::testing::TestWithParam<OpCase> {
 protected:
  void SetUp() override { set_poison_new_tensors(true); }
  void TearDown() override { set_poison_new_tensors(false); }
};

TEST_P(OpTable, ForwardMatchesReference) {
  const OpCase& c = GetParam();
  const std::vector<Tensor> inputs = make_inputs(c);
  const Tensor out = c.run(inputs);
  ASSERT_TRUE(all_finite(out)) << c.name << ": output has NaN/Inf (an unwritten element?)";
  const Tensor again = c.run(inputs);
  EXPECT_EQ(relative_error(again, out), 0.0) << c.name << ": two runs differ";
  if (c.reference) {
    const Tensor want = c.reference(inputs);
    ASSERT_EQ(out.shape(), want.shape()) << c.name;
    ASSERT_EQ(out.dtype(), want.dtype()) << c.name;
    EXPECT_LE(relative_error(out, want), c.forward_tolerance) << c.name << "\n got: " << out << "\nwant: " << want;
  }
}

TEST_P(OpTable, GradientMatchesFiniteDifferences) {
  const OpCase& c = GetParam();
  std::vector<Tensor> inputs = make_inputs(c);
  const Tensor probe = c.run(inputs);
  if (!has_gradient(c, probe)) {
    // A non-differentiable op records nothing: its watched float inputs get no gradient.
    if (probe.dtype() != DType::kFloat32) return;
    GradientTape tape;
    for (const Tensor& input : inputs)
      if (input.dtype() == DType::kFloat32) tape.watch(input);
    const Tensor out = c.run(inputs);
    for (const Tensor& g : tape.gradient(reduce_sum(out), inputs)) EXPECT_FALSE(g.defined()) << c.name;
    return;
  }
  const std::vector<float> weights = weights_for(c, probe);
  const std::vector<Tensor> grads = weighted_gradients(c, inputs, weights);

  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!c.inputs[i].differentiable || inputs[i].dtype() != DType::kFloat32) continue;
    ASSERT_TRUE(grads[i].defined()) << c.name << ": no gradient for input " << i;
    ASSERT_EQ(grads[i].shape(), inputs[i].shape()) << c.name << ": gradient shape of input " << i;
    const std::vector<float> analytic = grads[i].numpy<float>();
    const int64_t n = inputs[i].num_elements();
    const int64_t checks = std::min<int64_t>(n, 48);
    double diff = 0, norm = 0;
    for (int64_t k = 0; k < checks; ++k) {
      const int64_t j = n <= 48 ? k : (k * 2654435761ull + seed_of(c.name)) % n;
      std::vector<Tensor> shifted = inputs;
      shifted[i] = inputs[i].clone();
      float* x = shifted[i].data<float>();
      const float x0 = x[j];
      x[j] = x0 + static_cast<float>(c.fd_step);
      const double plus = weighted_sum(c.run(shifted), weights);
      x[j] = x0 - static_cast<float>(c.fd_step);
      const double minus = weighted_sum(c.run(shifted), weights);
      const double numeric = (plus - minus) / (2 * c.fd_step);
      diff += (analytic[j] - numeric) * (analytic[j] - numeric);
      norm += numeric * numeric;
    }
    // Float32 forward noise puts a floor of about 1e-3 per checked element under the difference.
    EXPECT_LE(std::sqrt(diff), c.gradient_tolerance * std::sqrt(norm) + 1e-3 * std::sqrt(double(checks)))
        << c.name << ": input " << i << " relative error " << std::sqrt(diff / std::max(norm, 1e-30));
  }
}

TEST_P(OpTable, CudaMatchesCpu) {
  if (!cuda_is_available()) {
    GTEST_SKIP() << "no CUDA device on this machine";
  }
  const OpCase& c = GetParam();
  const std::vector<Tensor> inputs = make_inputs(c);
  std::vector<Tensor> on_gpu;
  for (const Tensor& t : inputs) on_gpu.push_back(t.to(Device::cuda()));
  const Tensor want = c.run(inputs);
  poison_cuda_blocks({want.shape(), want.shape()});
  const Tensor got = c.run(on_gpu).to(Device::cpu());
  ASSERT_EQ(got.shape(), want.shape()) << c.name;
  ASSERT_EQ(got.dtype(), want.dtype()) << c.name;
  EXPECT_LE(relative_error(got, want), std::max(c.forward_tolerance, 1e-5)) << c.name;

  // Backward: the gradients of the same weighted sum as the finite-difference check, on both devices.
  if (!has_gradient(c, want)) return;
  const std::vector<float> weights = weights_for(c, want);
  const std::vector<Tensor> want_grads = weighted_gradients(c, inputs, weights);
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  poison_cuda_blocks(shapes);
  const std::vector<Tensor> got_grads = weighted_gradients(c, on_gpu, weights);
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(got_grads[i].defined(), want_grads[i].defined()) << c.name << ": gradient of input " << i;
    if (!want_grads[i].defined()) continue;
    EXPECT_TRUE(got_grads[i].device().is_cuda()) << c.name << ": gradient of input " << i << " left the GPU";
    EXPECT_LE(relative_error(got_grads[i].to(Device::cpu()), want_grads[i]), cuda_gradient_tolerance(c))
        << c.name << ": gradient of input " << i;
  }
}

std::string case_name(const ::testing::TestParamInfo<OpCase>& info) {
  std::string name = info.param.name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpTable, ::testing::ValuesIn(all_cases()), case_name);

TEST(OpTableCoverage, EveryOpHasCases) {
  std::set<int> with_case, with_reference, with_gradient;
  std::set<std::string> names;
  for (const OpCase& c : all_cases()) {
    EXPECT_TRUE(names.insert(case_name({c, 0})).second) << "duplicate case name " << c.name;
    with_case.insert(static_cast<int>(c.op));
    if (c.reference) with_reference.insert(static_cast<int>(c.op));
    for (const InputSpec& in : c.inputs)
      if (in.dtype == DType::kFloat32 && in.differentiable) with_gradient.insert(static_cast<int>(c.op));
  }
  for (int op = 0; op < kOpCount; ++op) {
    EXPECT_TRUE(with_case.count(op)) << "op '" << kOpNames[op] << "' has no case in the op table";
    EXPECT_TRUE(with_reference.count(op)) << "op '" << kOpNames[op] << "' has no case with a reference forward";
    if (kOpDifferentiable[op]) {
      EXPECT_TRUE(with_gradient.count(op)) << "op '" << kOpNames[op] << "' has no gradient-checked case";
    }
  }
}

}  // namespace
}  // namespace tapeflow::testing
