#pragma once
// One row of the op table (tests/engine/op_table_test.cpp). Each op family contributes its rows from
// its own file (math_cases.cpp, array_cases.cpp, ...); every op in engine/ops/ops.def needs at least one.
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/ops/op_id.h"
#include "tapeflow/tapeflow.h"

namespace tapeflow::testing {

// How a case's input values are drawn (seeded from the case name, so a failure reproduces).
enum class Values {
  kNormal,        // N(0, 1)
  kPositive,      // uniform in [0.5, 2]: log, sqrt, pow bases, divisors
  kAwayFromZero,  // |x| in [0.2, 1.2] with random sign: relu, maximum/minimum ties
  kDistinct,      // a shuffled, evenly spaced sequence: max, max_pool, argmax have a unique maximum
  kDistinctHalfStep,  // kDistinct shifted by half its spacing: never within 0.025 of a kDistinct value
  kIndex,         // integers in [0, index_limit): labels, gather indices
};

struct InputSpec {
  Shape shape;
  DType dtype = DType::kFloat32;
  Values values = Values::kNormal;
  int64_t index_limit = 0;    // for kIndex
  bool differentiable = true; // float inputs whose gradient the case checks
};

struct OpCase {
  OpId op;
  std::string name;  // unique in the table; seeds the inputs
  std::vector<InputSpec> inputs;
  std::function<Tensor(const std::vector<Tensor>&)> run;
  // Optional naive CPU reference for the forward (plain loops, never the optimised kernel).
  std::function<Tensor(const std::vector<Tensor>&)> reference = nullptr;
  double forward_tolerance = 1e-5;   // relative L2 error against the reference
  double gradient_tolerance = 1e-2;  // relative L2 error, analytic vs central differences in float32
  double fd_step = 1e-2;             // finite-difference step
};

// GoogleTest prints a case (in test names and failures) by its name.
inline void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

std::vector<OpCase> math_cases();
std::vector<OpCase> linalg_cases();
std::vector<OpCase> reduction_cases();
std::vector<OpCase> array_cases();
std::vector<OpCase> nn_cases();
std::vector<OpCase> lstm_cases();

// Helpers for references and tests.
Tensor make_input(const InputSpec& spec, uint64_t seed);
double relative_error(const Tensor& got, const Tensor& want);  // ||got - want|| / ||want||, NaN -> inf

}  // namespace tapeflow::testing
