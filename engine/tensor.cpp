#include "tapeflow/tensor.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>

#include "engine/check.h"
#include "engine/memory/device_memory.h"
#include "engine/tensor_internal.h"
#include "tapeflow/ops/array.h"
#include "tapeflow/ops/math.h"

namespace tapeflow {

namespace {
std::atomic<uint64_t> next_tensor_id{1};
std::atomic<bool> poison_new_tensors{false};

void poison(void* data, size_t nbytes, DType dtype) {
  if (dtype == DType::kFloat32) {
    auto* f = static_cast<float*>(data);
    std::fill(f, f + nbytes / sizeof(float), std::numeric_limits<float>::quiet_NaN());
  } else {
    std::memset(data, 0xA5, nbytes);
  }
}
}  // namespace

void set_poison_new_tensors(bool on) { poison_new_tensors = on; }

namespace detail {
uint64_t new_tensor_id() { return next_tensor_id.fetch_add(1, std::memory_order_relaxed); }

Tensor view(const Tensor& base, const Shape& shape) {
  TAPEFLOW_CHECK(shape.num_elements() == base.num_elements(), "view: cannot view {} elements as shape {}",
                 base.num_elements(), shape);
  auto impl = std::make_shared<TensorImpl>(*base.impl());
  impl->shape = shape;
  impl->id = new_tensor_id();
  impl->variable = nullptr;
  return Tensor(std::move(impl));
}

Tensor rows(const Tensor& base, int64_t begin, int64_t count) {
  const Shape& s = base.shape();
  TAPEFLOW_CHECK(s.rank() >= 1 && begin >= 0 && count >= 0 && begin + count <= s[0],
                 "rows: [{}, {}) is outside dim 0 of shape {}", begin, begin + count, s);
  auto impl = std::make_shared<TensorImpl>(*base.impl());
  impl->shape = s.with_dim(0, count);
  impl->byte_offset += static_cast<size_t>(begin * (s[0] ? base.num_elements() / s[0] : 0)) * dtype_size(base.dtype());
  impl->id = new_tensor_id();
  impl->variable = nullptr;
  return Tensor(std::move(impl));
}
}  // namespace detail

Storage::Storage(size_t nbytes, DType dtype, int64_t count, Device device)
    : nbytes_(nbytes), dtype_(dtype), device_(device) {
  TAPEFLOW_CHECK(dtype != DType::kString || device.is_cpu(), "string tensors live on the CPU only, not {}",
                 device.to_string());
  data_ = memory::allocate(device, nbytes == 0 ? 1 : nbytes);
  if (dtype == DType::kString) {
    auto* s = static_cast<std::string*>(data_);
    for (count_ = 0; count_ < count; ++count_) new (s + count_) std::string();
  } else if (poison_new_tensors && device.is_cpu()) {
    poison(data_, nbytes, dtype);
  }
}

Storage::Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> release)
    : data_(data), nbytes_(nbytes), dtype_(DType::kUInt8), device_(device), release_(std::move(release)) {}

Storage::~Storage() {
  if (release_) {
    release_(data_);
    return;
  }
  if (dtype_ == DType::kString) {
    auto* s = static_cast<std::string*>(data_);
    for (int64_t i = 0; i < count_; ++i) s[i].~basic_string();
  }
  memory::deallocate(device_, data_, nbytes_ == 0 ? 1 : nbytes_);
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  const int64_t n = shape.num_elements();
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(n) * dtype_size(dtype), dtype, n, device);
  impl->shape = shape;
  impl->dtype = dtype;
  impl->id = detail::new_tensor_id();
  return Tensor(std::move(impl));
}

Tensor Tensor::from_blob(void* data, const Shape& shape, DType dtype, Device device,
                         std::function<void(void*)> release) {
  TAPEFLOW_CHECK(dtype != DType::kString, "Tensor::from_blob: string tensors cannot wrap foreign memory");
  TAPEFLOW_CHECK(release != nullptr, "Tensor::from_blob: expected a release function, found an empty one");
  auto impl = std::make_shared<TensorImpl>();
  const size_t nbytes = static_cast<size_t>(shape.num_elements()) * dtype_size(dtype);
  impl->storage = std::make_shared<Storage>(data, nbytes, device, std::move(release));
  impl->shape = shape;
  impl->dtype = dtype;
  impl->id = detail::new_tensor_id();
  return Tensor(std::move(impl));
}

const TensorImpl& Tensor::checked_impl() const {
  if (!impl_) throw Error("use of an undefined tensor (for example a gradient that TF would return as None)");
  return *impl_;
}

const Shape& Tensor::shape() const { return checked_impl().shape; }
DType Tensor::dtype() const { return checked_impl().dtype; }
Device Tensor::device() const { return checked_impl().storage->device(); }
uint64_t Tensor::id() const { return checked_impl().id; }

void* Tensor::raw_data() {
  const TensorImpl& impl = checked_impl();
  return static_cast<char*>(impl.storage->data()) + impl.byte_offset;
}
const void* Tensor::raw_data() const { return const_cast<Tensor*>(this)->raw_data(); }

template <class T> T* Tensor::data() {
  TAPEFLOW_CHECK(dtype() == dtype_of<T>, "Tensor::data: the tensor is {}, not {}", dtype_name(dtype()),
                 dtype_name(dtype_of<T>));
  return static_cast<T*>(raw_data());
}
template <class T> const T* Tensor::data() const { return const_cast<Tensor*>(this)->data<T>(); }

template <class T> std::vector<T> Tensor::numpy() const {
  TAPEFLOW_CHECK(dtype() == dtype_of<T>, "Tensor::numpy: the tensor is {}, not {}", dtype_name(dtype()),
                 dtype_name(dtype_of<T>));
  const Tensor host = to(Device::cpu());
  const T* p = host.data<T>();
  return std::vector<T>(p, p + num_elements());
}

template <class T> T Tensor::item() const {
  TAPEFLOW_CHECK(num_elements() == 1, "Tensor::item: expected a tensor with one element, found shape {}", shape());
  return numpy<T>()[0];
}

#define TAPEFLOW_INSTANTIATE(T)                   \
  template T* Tensor::data<T>();                  \
  template const T* Tensor::data<T>() const;      \
  template std::vector<T> Tensor::numpy<T>() const; \
  template T Tensor::item<T>() const;
TAPEFLOW_INSTANTIATE(float)
TAPEFLOW_INSTANTIATE(int32_t)
TAPEFLOW_INSTANTIATE(int64_t)
TAPEFLOW_INSTANTIATE(uint8_t)
TAPEFLOW_INSTANTIATE(std::string)
#undef TAPEFLOW_INSTANTIATE
// std::vector<bool> is bit-packed, so bool tensors copy out element by element.
template bool* Tensor::data<bool>();
template const bool* Tensor::data<bool>() const;
template <> std::vector<bool> Tensor::numpy<bool>() const {
  TAPEFLOW_CHECK(dtype() == DType::kBool, "Tensor::numpy: the tensor is {}, not bool", dtype_name(dtype()));
  const Tensor host = to(Device::cpu());
  const bool* p = host.data<bool>();
  return std::vector<bool>(p, p + num_elements());
}
template <> bool Tensor::item<bool>() const {
  TAPEFLOW_CHECK(num_elements() == 1, "Tensor::item: expected a tensor with one element, found shape {}", shape());
  return numpy<bool>()[0];
}

Tensor Tensor::to(Device device) const {
  if (this->device() == device) return *this;
  Tensor out = empty(shape(), dtype(), device);
  memory::copy(device, out.raw_data(), this->device(), raw_data(), nbytes());
  return out;
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype(), device());
  if (dtype() == DType::kString) {
    std::copy_n(data<std::string>(), num_elements(), out.data<std::string>());
  } else {
    memory::copy(device(), out.raw_data(), device(), raw_data(), nbytes());
  }
  return out;
}

Tensor Tensor::cast(DType dtype) const { return tapeflow::cast(*this, dtype); }
Tensor Tensor::reshape(const Shape& shape) const { return tapeflow::reshape(*this, shape); }

std::string Tensor::to_string() const {
  std::ostringstream os;
  os << *this;
  return os.str();
}

}  // namespace tapeflow
