#pragma once
// One element of a Dataset: a tuple of tensors (the notes' (x, y) pairs) or a dict of named tensors
// ({"image": ..., "label": ...}), in a fixed order. A single tensor is a one-component tuple.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow::data {

class Element {
 public:
  Element() = default;
  Element(Tensor tensor);                                          // NOLINT(google-explicit-constructor): map returns a Tensor
  Element(std::initializer_list<Tensor> components);               // a tuple: {x, y}
  Element(std::initializer_list<std::pair<std::string, Tensor>> named);  // a dict: {{"image", x}, {"label", y}}
  static Element tuple(std::vector<Tensor> components);
  static Element dict(std::vector<std::string> keys, std::vector<Tensor> values);

  size_t size() const { return tensors_.size(); }
  bool is_dict() const { return !keys_.empty(); }
  // Positional access works for dicts too (in key order); throws when out of range.
  const Tensor& operator[](size_t i) const;
  Tensor& operator[](size_t i);
  // Throws naming the keys present when `key` is not one of them, or when this is a tuple.
  const Tensor& operator[](std::string_view key) const;
  Tensor& operator[](std::string_view key);
  const std::vector<Tensor>& tensors() const { return tensors_; }
  std::vector<Tensor>& tensors() { return tensors_; }
  const std::vector<std::string>& keys() const { return keys_; }  // empty for a tuple
  // "(float32 [28, 28, 1], int64 [])" or "{image: string [], label: int64 []}", for error messages.
  std::string describe() const;

  // Structured bindings of an (x, y) pair: auto [x, y] = element; throws unless size() == 2.
  template <size_t I> const Tensor& get() const { return pair_component(I); }

 private:
  const Tensor& pair_component(size_t i) const;
  std::vector<std::string> keys_;  // one per tensor for a dict
  std::vector<Tensor> tensors_;
};

}  // namespace tapeflow::data

template <>
struct std::tuple_size<tapeflow::data::Element> : std::integral_constant<size_t, 2> {};
template <size_t I>
struct std::tuple_element<I, tapeflow::data::Element> {
  using type = const tapeflow::Tensor;
};
