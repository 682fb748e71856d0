#include "tapeflow/keras/deferred_restore.h"

#include "engine/check.h"

namespace tapeflow {

DeferredRestore::DeferredRestore(std::string source, std::string owner, std::map<std::string, Tensor> values)
    : source_(std::move(source)), owner_(std::move(owner)), values_(std::move(values)) {}

std::string DeferredRestore::checkpoint_key(const std::string& key) const {
  if (owner_.empty()) return key;
  return key.empty() ? owner_ : owner_ + "/" + key;
}

bool DeferredRestore::apply(const std::string& key, Variable& variable) {
  const auto it = values_.find(key);
  if (it == values_.end()) return false;
  const Tensor& value = it->second;
  TAPEFLOW_CHECK(value.shape() == variable.shape() && value.dtype() == variable.dtype(),
                 "checkpoint {}: variable '{}' has shape {} {} but the checkpoint holds {} {}", source_, checkpoint_key(key),
                 variable.shape().to_string(), dtype_name(variable.dtype()), value.shape().to_string(),
                 dtype_name(value.dtype()));
  variable.assign(value.to(variable.device()));
  values_.erase(it);
  return true;
}

}  // namespace tapeflow
