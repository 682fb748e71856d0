#include "tapeflow/variable.h"

#include "engine/autodiff.h"
#include "engine/capture.h"
#include "engine/check.h"
#include "engine/memory/device_memory.h"
#include "tapeflow/ops/math.h"

namespace tapeflow {

Variable::Variable(const Tensor& initial_value, std::string name, bool trainable)
    : Tensor(initial_value.clone().impl()) {
  capture::forbid("creating a variable (its initial value would be written again at each replay)");
  impl()->variable = std::make_shared<VariableInfo>(VariableInfo{std::move(name), trainable});
}

const std::string& Variable::name() const {
  TAPEFLOW_CHECK(defined(), "Variable::name: the variable is not initialised");
  return impl()->variable->name;
}

bool Variable::trainable() const { return defined() && impl()->variable->trainable; }

void Variable::assign(const Tensor& value) {
  detail::check_defined("Variable::assign", value, "the value");
  TAPEFLOW_CHECK(value.shape() == shape() && value.dtype() == dtype(),
                 "Variable::assign: variable '{}' is {} {}, the value is {} {}", name(), dtype_name(dtype()), shape(),
                 dtype_name(value.dtype()), value.shape());
  detail::check_same_device("Variable::assign", *this, value);
  memory::copy(device(), raw_data(), value.device(), value.raw_data(), nbytes());
}

void Variable::assign_add(const Tensor& delta) {
  autodiff::NoRecordScope no_record;
  assign(add(*this, delta));
}

void Variable::assign_sub(const Tensor& delta) {
  autodiff::NoRecordScope no_record;
  assign(sub(*this, delta));
}

}  // namespace tapeflow
