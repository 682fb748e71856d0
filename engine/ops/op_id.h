#pragma once
// OpId and op names, generated from ops.def.
#include <array>
#include <string_view>

namespace tapeflow {

enum class OpId : int {
#define TAPEFLOW_OP(name, differentiable) k_##name,
#include "ops.def"
#undef TAPEFLOW_OP
  kCount
};

inline constexpr int kOpCount = static_cast<int>(OpId::kCount);

inline constexpr std::array<std::string_view, kOpCount> kOpNames = {
#define TAPEFLOW_OP(name, differentiable) #name,
#include "ops.def"
#undef TAPEFLOW_OP
};

inline constexpr std::array<bool, kOpCount> kOpDifferentiable = {
#define TAPEFLOW_OP(name, differentiable) differentiable,
#include "ops.def"
#undef TAPEFLOW_OP
};

inline std::string_view op_name(OpId op) { return kOpNames[static_cast<int>(op)]; }

}  // namespace tapeflow
