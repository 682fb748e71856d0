#pragma once
// tapeflow::GradientTape, with TF2 semantics: while alive it records every op one of whose inputs it
// watches; trainable Variables are watched automatically, watch() adds tensors. gradient() walks the
// recorded ops in reverse order, so gradients are summed in a fixed order (bitwise reproducible on CPU).
#include <memory>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "tapeflow/tensor.h"

namespace tapeflow {

namespace autodiff { struct TapeEntry; }

class GradientTape {
 public:
  explicit GradientTape(bool persistent = false);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& t);
  // One gradient per source: d(sum of target)/d(source). An undefined Tensor where the source is not
  // connected to the target (TF returns None). A non-persistent tape answers once.
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Tensor>& sources);
  // One source: tape.gradient(y, x). A template so that a braced list, tape.gradient(y, {w}), always
  // means the vector form above.
  template <class Source>
    requires std::is_base_of_v<Tensor, Source>
  Tensor gradient(const Tensor& target, const Source& source) {
    return gradient(target, std::vector<Tensor>{source})[0];
  }

  bool persistent() const { return persistent_; }

  // For the engine (autodiff.cpp): whether this tape records ops on `t`.
  bool is_watched(const Tensor& t) const;
  bool recording() const { return recording_; }
  void add_entry(std::shared_ptr<const autodiff::TapeEntry> entry);

 private:
  bool persistent_;
  bool recording_ = true;
  bool used_ = false;
  std::unordered_set<uint64_t> watched_;
  std::vector<std::shared_ptr<const autodiff::TapeEntry>> entries_;
};

// Returns `t` cut off from every tape: no gradient flows through it.
Tensor stop_gradient(const Tensor& t);

}  // namespace tapeflow
