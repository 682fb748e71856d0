// Optimizers: each update against its Keras formula computed independently in double over several
// steps; clipping, schedules, skipped gradients, iterations, slots, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tapeflow/tapeflow.h"

namespace tf = tapeflow;

namespace {

using Vec = std::vector<double>;

tf::Tensor floats(const Vec& v) {
  return tf::constant(std::vector<float>(v.begin(), v.end()), tf::Shape{static_cast<int64_t>(v.size())});
}

// Different gradients at each step (signs and sizes vary), for a 4-element variable.
const std::vector<Vec> kGrads = {{0.5, -1.0, 2.0, 0.0}, {0.25, -0.5, -1.5, 0.1}, {-0.75, 1.0, 0.5, -0.2},
                                 {1.5, 0.0, -0.25, 0.3}, {0.1, -2.0, 1.0, -0.4}};
const Vec kStart = {1.0, -2.0, 0.5, 3.0};

// Runs `opt` over kGrads from kStart and checks every step against `reference(step, w)` (step from 1), which
// updates w in place in double.
template <class Reference>
void expect_matches(tf::optimizers::Optimizer& opt, Reference reference, double tol = 1e-6) {
  tf::Variable w(floats(kStart), "w");
  Vec expected = kStart;
  for (size_t step = 0; step < kGrads.size(); ++step) {
    opt.apply_gradients({floats(kGrads[step])}, {w});
    reference(static_cast<int>(step) + 1, expected, kGrads[step]);
    const std::vector<float> got = w.numpy<float>();
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i])))
          << "step " << step + 1 << ", element " << i;
  }
  EXPECT_EQ(opt.iterations(), static_cast<int64_t>(kGrads.size()));
}

std::vector<std::string> slot_names(const tf::optimizers::Optimizer& opt) {
  std::vector<std::string> names;
  for (const auto& [name, v] : opt.slots()) names.push_back(name);
  return names;
}

}  // namespace

TEST(Optimizers, SGDPlainIsWMinusLrG) {
  tf::optimizers::SGD opt({.learning_rate = 0.1});
  expect_matches(opt, [](int, Vec& w, const Vec& g) {
    for (size_t i = 0; i < w.size(); ++i) w[i] -= 0.1 * g[i];
  });
  EXPECT_TRUE(opt.slots().empty());  // no momentum, no slot (as Keras)
}

TEST(Optimizers, SGDMomentum) {
  tf::optimizers::SGD opt({.learning_rate = 0.05, .momentum = 0.9});
  Vec v(4, 0.0);
  expect_matches(opt, [&](int, Vec& w, const Vec& g) {
    for (size_t i = 0; i < w.size(); ++i) {
      v[i] = 0.9 * v[i] - 0.05 * g[i];
      w[i] += v[i];
    }
  });
}

TEST(Optimizers, SGDNesterov) {
  tf::optimizers::SGD opt({.learning_rate = 0.05, .momentum = 0.8, .nesterov = true});
  Vec v(4, 0.0);
  expect_matches(opt, [&](int, Vec& w, const Vec& g) {
    for (size_t i = 0; i < w.size(); ++i) {
      v[i] = 0.8 * v[i] - 0.05 * g[i];
      w[i] += 0.8 * v[i] - 0.05 * g[i];
    }
  });
}

// tf.keras (TF2) Adam: bias correction folded into lr_t, epsilon added unscaled. The kernel runs on float32
// hyperparameters, as TF's does: 0.999 is 0.99900001 there, which moves 1 - b2 by 1.3e-5 relative, so the
// reference uses the float values of beta_1 and beta_2.
TEST(Optimizers, AdamWithBiasCorrection) {
  for (const double lr : {1e-3, 0.1}) {
    tf::optimizers::Adam opt({.learning_rate = lr});
    const double b1 = 0.9f, b2 = 0.999f, eps = 1e-7;
    Vec m(4, 0.0), v(4, 0.0);
    expect_matches(opt, [&](int t, Vec& w, const Vec& g) {
      // The step size is computed in double from the exact betas.
      const double lr_t = lr * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
      for (size_t i = 0; i < w.size(); ++i) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
      }
    });
  }
}

TEST(Optimizers, AdamFirstStepShowsWhereEpsilonSits) {
  // Step 1 is lr g / (|g| + epsilon / sqrt(1 - b2)): epsilon is Keras's "epsilon hat", added to sqrt(v)
  // unscaled, so a small gradient moves less than lr (with eps = 1e-7: 3.16e-6 next to |g| = 0.01).
  tf::optimizers::Adam opt;
  tf::Variable w(floats({0.0, 0.0}), "w");
  opt.apply_gradients({floats({3.0, -0.01})}, {w});
  const std::vector<float> got = w.numpy<float>();
  const double eps_over = 1e-7 / std::sqrt(1 - 0.999);
  EXPECT_NEAR(got[0], -1e-3 * 3 / (3 + eps_over), 1e-8);
  EXPECT_NEAR(got[1], 1e-3 * 0.01 / (0.01 + eps_over), 1e-8);
  EXPECT_LT(got[1], 0.9997e-3);
}

TEST(Optimizers, AdamCustomBetasAndEpsilon) {
  tf::optimizers::Adam opt({.learning_rate = 0.02, .beta_1 = 0.5, .beta_2 = 0.7, .epsilon = 0.1});
  Vec m(4, 0.0), v(4, 0.0);
  expect_matches(opt, [&](int t, Vec& w, const Vec& g) {
    const double lr_t = 0.02 * std::sqrt(1 - std::pow(0.7, t)) / (1 - std::pow(0.5, t));
    for (size_t i = 0; i < w.size(); ++i) {
      m[i] = 0.5 * m[i] + 0.5 * g[i];
      v[i] = 0.7 * v[i] + 0.3 * g[i] * g[i];
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + 0.1);
    }
  });
}

// tf.keras (TF2) RMSprop in its four forms.
TEST(Optimizers, RMSpropPlainCenteredAndMomentum) {
  for (const bool centered : {false, true}) {
    for (const double momentum : {0.0, 0.7}) {
      SCOPED_TRACE(::testing::Message() << "centered " << centered << ", momentum " << momentum);
      const double lr = 0.01, rho = 0.8, eps = 1e-7;
      tf::optimizers::RMSprop opt({.learning_rate = lr, .rho = rho, .momentum = momentum, .centered = centered});
      Vec ms(4, 0.0), mg(4, 0.0), mom(4, 0.0);
      expect_matches(
          opt,
          [&](int, Vec& w, const Vec& g) {
            for (size_t i = 0; i < w.size(); ++i) {
              ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
              double denom = ms[i];
              if (centered) {
                mg[i] = rho * mg[i] + (1 - rho) * g[i];
                denom -= mg[i] * mg[i];
              }
              if (momentum > 0) {
                mom[i] = momentum * mom[i] + lr * g[i] / std::sqrt(denom + eps);
                w[i] -= mom[i];
              } else {
                w[i] -= lr * g[i] / (std::sqrt(denom) + eps);
              }
            }
          },
          // A zero gradient after nonzero ones divides by a small sqrt(denom): float rounds a little more.
          2e-5);
      std::vector<std::string> expected_slots = {"w/rms"};
      if (centered) expected_slots.push_back("w/mg");
      if (momentum > 0) expected_slots.push_back("w/momentum");
      EXPECT_EQ(slot_names(opt), expected_slots);
    }
  }
}

TEST(Optimizers, RMSpropCenteredWithAConstantGradientStaysFinite) {
  // ms - mg^2 tends to 0 and float rounding can take it below; the update must never become NaN.
  tf::optimizers::RMSprop opt({.learning_rate = 0.01, .centered = true});
  tf::Variable w(floats({1.0, -1.0, 0.3}), "w");
  for (int step = 0; step < 300; ++step) opt.apply_gradients({floats({0.3, -7.0, 1e-3})}, {w});
  for (float x : w.numpy<float>()) EXPECT_TRUE(std::isfinite(x));
}

TEST(Optimizers, UpdatesAboveTheParallelThresholdMatchTheFormula) {
  // 100,003 elements takes the OpenMP path; every element must match, the last (tail) one included.
  const int64_t n = 100003;
  const tf::Tensor g0 = tf::random::normal({n}, 0.f, 1.f, 7);
  const tf::Tensor g1 = tf::random::normal({n}, 0.f, 1.f, 8);
  tf::Variable w(tf::random::normal({n}, 0.f, 1.f, 9), "big");
  const std::vector<float> w0 = w.numpy<float>(), a = g0.numpy<float>(), b = g1.numpy<float>();
  tf::optimizers::Adam opt({.learning_rate = 0.01});
  opt.apply_gradients({g0}, {w});
  opt.apply_gradients({g1}, {w});
  const std::vector<float> got = w.numpy<float>();
  double max_err = 0;
  for (int64_t i = 0; i < n; ++i) {
    double m = 0, v = 0, x = w0[i];
    for (int t = 1; t <= 2; ++t) {
      const double g = t == 1 ? a[i] : b[i];
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      x -= 0.01 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t)) * m / (std::sqrt(v) + 1e-7);
    }
    max_err = std::max(max_err, std::abs(got[i] - x));
  }
  EXPECT_LT(max_err, 1e-6);
}

TEST(Optimizers, AdamFlushesDenormalSlotsToZeroAndLeavesTheCallerAsItWas) {
  // m = (1 - beta_1) g = 1e-38 lies below FLT_MIN (1.18e-38): a denormal, flushed to 0 as TensorFlow's CPU
  // threads do (denormal arithmetic is ~100x slower). On one thread and on the OpenMP path (each thread sets its
  // own flags).
  for (const int64_t n : {int64_t{1}, int64_t{100003}}) {
    tf::Variable w(tf::ones({n}), "w");
    tf::optimizers::Adam opt({.learning_rate = 0.001});
    opt.apply_gradients({tf::fill({n}, 1e-37f)}, {w});
    for (const auto& [name, slot] : opt.slots()) {
      const std::vector<float> values = slot.numpy<float>();
      EXPECT_EQ(std::count(values.begin(), values.end(), 0.f), n) << name << ", n = " << n;
    }
  }
  volatile float tiny = 1e-37f;  // volatile: computed at run time, under this thread's flags
  EXPECT_GT(tiny * 0.1f, 0.f) << "the caller's thread must still compute denormals";
}

TEST(Optimizers, ClipnormClipsEachGradientToItsNorm) {
  tf::optimizers::SGD opt({.learning_rate = 1.0, .common = {.clipnorm = 1.0}});
  tf::Variable a(floats({0.0, 0.0}), "a"), b(floats({0.0, 0.0}), "b");
  // a's gradient has norm 5 (clipped to 1); b's has norm 0.5 (left alone).
  opt.apply_gradients({floats({3.0, 4.0}), floats({0.3, -0.4})}, {a, b});
  const std::vector<float> ga = a.numpy<float>(), gb = b.numpy<float>();
  EXPECT_NEAR(ga[0], -0.6, 1e-6);
  EXPECT_NEAR(ga[1], -0.8, 1e-6);
  EXPECT_NEAR(gb[0], -0.3, 1e-7);
  EXPECT_NEAR(gb[1], 0.4, 1e-7);
}

TEST(Optimizers, GlobalClipnormScalesAllGradientsTogether) {
  tf::optimizers::SGD opt({.learning_rate = 1.0, .common = {.global_clipnorm = 2.5}});
  tf::Variable a(floats({0.0, 0.0}), "a"), b(floats({0.0}), "b");
  // Global norm sqrt(3^2 + 0^2 + 4^2) = 5: every gradient is halved.
  opt.apply_gradients({floats({3.0, 0.0}), floats({4.0})}, {a, b});
  EXPECT_NEAR(a.numpy<float>()[0], -1.5, 1e-6);
  EXPECT_NEAR(b.numpy<float>()[0], -2.0, 1e-6);
  // Under the clip: untouched.
  opt.apply_gradients({floats({0.3, 0.0}), floats({0.4})}, {a, b});
  EXPECT_NEAR(a.numpy<float>()[0], -1.8, 1e-6);
  EXPECT_NEAR(b.numpy<float>()[0], -2.4, 1e-6);
}

TEST(Optimizers, ClipnormAndGlobalClipnormTogetherIsAnError) {
  EXPECT_THROW(tf::optimizers::SGD({.common = {.clipnorm = 1.0, .global_clipnorm = 1.0}}), tf::Error);
  EXPECT_THROW(tf::optimizers::SGD({.common = {.clipnorm = -1.0}}), tf::Error);
}

TEST(Optimizers, LearningRateScheduleSeesTheStepBeforeTheUpdate) {
  std::vector<int64_t> steps;
  tf::optimizers::SGD opt({.learning_rate = 123.0, .common = {.learning_rate_schedule = [&](int64_t step) {
                             steps.push_back(step);
                             return 0.1 / double(step + 1);
                           }}});
  tf::Variable w(floats({0.0}), "w");
  double expected = 0;
  for (int step = 0; step < 3; ++step) {
    opt.apply_gradients({floats({1.0})}, {w});
    expected -= 0.1 / (step + 1);
  }
  EXPECT_NEAR(w.numpy<float>()[0], expected, 1e-6);
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(opt.learning_rate(), 0.1 / 4);
}

TEST(Optimizers, UndefinedGradientsAreSkipped) {
  tf::optimizers::Adam opt;
  tf::Variable used(floats({1.0, 2.0}), "dense/kernel"), unused(floats({5.0}), "dense/bias");
  opt.apply_gradients({floats({1.0, 1.0}), tf::Tensor()}, {used, unused});
  opt.apply_gradients({{floats({1.0, 1.0}), used}, {tf::Tensor(), unused}});
  EXPECT_EQ(unused.numpy<float>(), std::vector<float>{5.f});
  EXPECT_LT(used.numpy<float>()[0], 1.f);
  EXPECT_EQ(opt.iterations(), 2);  // once per apply_gradients, not per variable
  EXPECT_EQ(slot_names(opt), (std::vector<std::string>{"dense/kernel/m", "dense/kernel/v"}));
  // No gradient at all is a mistake (Keras: "No gradients provided for any variable").
  EXPECT_THROW(opt.apply_gradients({tf::Tensor()}, {unused}), tf::Error);
}

TEST(Optimizers, SlotsAreNamedAfterTheVariableAndBelongToIt) {
  tf::optimizers::SGD opt({.learning_rate = 0.1, .momentum = 0.5});
  // Two variables with the same name keep their own velocities.
  tf::Variable a(floats({0.0}), "dense/kernel"), b(floats({0.0}), "dense/kernel");
  opt.apply_gradients({floats({1.0}), floats({-1.0})}, {a, b});
  opt.apply_gradients({floats({1.0}), floats({-1.0})}, {a, b});
  ASSERT_EQ(opt.slots().size(), 2u);
  EXPECT_EQ(opt.slots()[0].first, "dense/kernel/momentum");
  EXPECT_FALSE(opt.slots()[0].second.trainable());
  // v1 = -0.1, v2 = -0.15: a = -0.25 (b mirrors it).
  EXPECT_NEAR(a.numpy<float>()[0], -0.25, 1e-7);
  EXPECT_NEAR(b.numpy<float>()[0], 0.25, 1e-7);
  EXPECT_NEAR(opt.slots()[0].second.numpy<float>()[0], -0.15, 1e-7);
}

TEST(Optimizers, MismatchedGradientShapeNamesTheVariableAndBothShapes) {
  tf::optimizers::SGD opt;
  tf::Variable w(tf::zeros({3, 2}), "dense/kernel");
  try {
    opt.apply_gradients({tf::zeros({2, 3})}, {w});
    FAIL();
  } catch (const tf::Error& e) {
    EXPECT_STREQ(e.what(), "SGD: the gradient for 'dense/kernel' has shape [2, 3], the variable has shape [3, 2]");
  }
  EXPECT_THROW(opt.apply_gradients({tf::zeros({3, 2})}, {w, w}), tf::Error);
  EXPECT_EQ(opt.iterations(), 0);
}
