#include "tapeflow/shape.h"

#include "engine/check.h"

namespace tapeflow {

Shape::Shape(std::initializer_list<int64_t> dims) : Shape(std::span<const int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const int64_t> dims) {
  TAPEFLOW_CHECK(dims.size() <= kMaxRank, "Shape: rank {} exceeds the maximum of {}", dims.size(), kMaxRank);
  for (int64_t d : dims) push_back(d);
}

int64_t Shape::dim(int axis) const { return dims_[normalize_axis(axis, rank_, "Shape::dim")]; }

int64_t Shape::num_elements() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) {
    TAPEFLOW_CHECK(dims_[i] >= 0, "Shape {} has a negative dimension", to_string());
    TAPEFLOW_CHECK(dims_[i] == 0 || n <= INT64_MAX / dims_[i], "Shape {} has more elements than fit in int64",
                   to_string());
    n *= dims_[i];
  }
  return n;
}

void Shape::push_back(int64_t d) {
  TAPEFLOW_CHECK(rank_ < kMaxRank, "Shape: rank would exceed the maximum of {}", kMaxRank);
  dims_[rank_++] = d;
}

Shape Shape::with_dim(int axis, int64_t d) const {
  Shape s = *this;
  s.dims_[normalize_axis(axis, rank_, "Shape::with_dim")] = d;
  return s;
}

std::string Shape::to_string() const { return fmt::format("[{}]", fmt::join(dims(), ", ")); }

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (int i = 0; i < a.rank_; ++i)
    if (a.dims_[i] != b.dims_[i]) return false;
  return true;
}

int normalize_axis(int axis, int rank, const char* op) {
  TAPEFLOW_CHECK(axis >= -rank && axis < rank, "{}: axis {} is out of range for rank {} (expected {}..{})", op,
                 axis, rank, -rank, rank - 1);
  return axis < 0 ? axis + rank : axis;
}

}  // namespace tapeflow
