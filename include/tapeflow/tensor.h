#pragma once
// tapeflow::Tensor: a shared handle to contiguous, immutable-by-convention storage with a shape,
// a dtype and a device. Copies share storage; reshape() makes a cheap view.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "tapeflow/device.h"
#include "tapeflow/dtype.h"
#include "tapeflow/error.h"
#include "tapeflow/shape.h"

namespace tapeflow {

// Owns one allocation from the device's allocator.
class Storage {
 public:
  Storage(size_t nbytes, DType dtype, int64_t count, Device device);
  // Wraps memory the caller owns (for embedding); `release` runs when the last tensor lets go.
  Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> release);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  DType dtype_;
  int64_t count_ = 0;  // elements constructed, for kString
  Device device_;
  std::function<void(void*)> release_;  // set for wrapped memory
};

// What makes a tensor a Variable: its name and whether tapes watch it automatically.
struct VariableInfo {
  std::string name;
  bool trainable = true;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  size_t byte_offset = 0;
  Shape shape;
  DType dtype = DType::kFloat32;
  uint64_t id = 0;                         // identity for the tape; unique per impl
  std::shared_ptr<VariableInfo> variable;  // set only for Variables
};

class Tensor {
 public:
  Tensor() = default;  // undefined, like TF's None gradient
  // A new uninitialised tensor (elements are unspecified; kString elements are empty).
  static Tensor empty(const Shape& shape, DType dtype = DType::kFloat32, Device device = Device::cpu());
  // A tensor over memory the caller owns (numeric dtypes only); nothing is copied. The memory must
  // stay valid, and hold shape.num_elements() elements, until `release` is called.
  static Tensor from_blob(void* data, const Shape& shape, DType dtype, Device device,
                          std::function<void(void*)> release = [](void*) {});

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  DType dtype() const;
  Device device() const;
  int rank() const { return shape().rank(); }
  int64_t num_elements() const { return shape().num_elements(); }
  size_t nbytes() const { return static_cast<size_t>(num_elements()) * dtype_size(dtype()); }
  uint64_t id() const;

  // Typed pointer to the elements; the dtype must match T.
  template <class T> T* data();
  template <class T> const T* data() const;
  void* raw_data();
  const void* raw_data() const;

  // Copies the elements out to a std::vector (from any device), like TF's .numpy().
  template <class T> std::vector<T> numpy() const;
  // The single element of a one-element tensor.
  template <class T> T item() const;

  Tensor to(Device device) const;  // copy to another device (no copy if already there)
  Tensor cast(DType dtype) const;  // same as tapeflow::cast
  Tensor reshape(const Shape& shape) const;  // same as tapeflow::reshape (one dim may be -1)
  Tensor clone() const;            // deep copy on the same device, not recorded

  std::string to_string() const;   // numpy-like text, as printed by operator<<

  // For the engine: the shared implementation.
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

 private:
  const TensorImpl& checked_impl() const;
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace tapeflow
