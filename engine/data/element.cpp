#include "tapeflow/data/element.h"

#include <fmt/format.h>

#include "engine/check.h"

namespace tapeflow::data {

Element::Element(Tensor tensor) : tensors_{std::move(tensor)} {}

Element::Element(std::initializer_list<Tensor> components) : tensors_(components) {}

Element::Element(std::initializer_list<std::pair<std::string, Tensor>> named) {
  for (const auto& [key, value] : named) {
    keys_.push_back(key);
    tensors_.push_back(value);
  }
}

Element Element::tuple(std::vector<Tensor> components) {
  Element e;
  e.tensors_ = std::move(components);
  return e;
}

Element Element::dict(std::vector<std::string> keys, std::vector<Tensor> values) {
  TAPEFLOW_CHECK(keys.size() == values.size(), "Element::dict: {} keys for {} values", keys.size(), values.size());
  Element e;
  e.keys_ = std::move(keys);
  e.tensors_ = std::move(values);
  return e;
}

const Tensor& Element::operator[](size_t i) const {
  TAPEFLOW_CHECK(i < tensors_.size(), "Element: component {} asked of an element with {} components {}", i,
                 tensors_.size(), describe());
  return tensors_[i];
}

Tensor& Element::operator[](size_t i) { return const_cast<Tensor&>(std::as_const(*this)[i]); }

const Tensor& Element::operator[](std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return tensors_[i];
  throw Error(fmt::format("Element: no component named '{}' in {}", key, describe()));
}

Tensor& Element::operator[](std::string_view key) { return const_cast<Tensor&>(std::as_const(*this)[key]); }

const Tensor& Element::pair_component(size_t i) const {
  TAPEFLOW_CHECK(tensors_.size() == 2, "Element: expected an (x, y) pair to unpack, found {}", describe());
  return tensors_[i];
}

std::string Element::describe() const {
  std::string s = is_dict() ? "{" : "(";
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (i) s += ", ";
    if (is_dict()) s += keys_[i] + ": ";
    const Tensor& t = tensors_[i];
    s += t.defined() ? fmt::format("{} {}", dtype_name(t.dtype()), t.shape().to_string()) : "undefined";
  }
  return s + (is_dict() ? "}" : ")");
}

}  // namespace tapeflow::data
