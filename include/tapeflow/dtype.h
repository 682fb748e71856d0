#pragma once
// Element types of a Tensor, as TensorFlow names them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tapeflow {

enum class DType : uint8_t { kFloat32, kInt32, kInt64, kUInt8, kBool, kString };

inline constexpr DType float32 = DType::kFloat32;
inline constexpr DType int32 = DType::kInt32;
inline constexpr DType int64 = DType::kInt64;
inline constexpr DType uint8 = DType::kUInt8;
inline constexpr DType bool_ = DType::kBool;
inline constexpr DType string = DType::kString;

// Bytes per element; kString elements are std::string objects.
size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);  // "float32", "int64", ...
bool is_floating(DType dtype);
bool is_integer(DType dtype);  // int32, int64, uint8

template <class T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::kFloat32; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kInt32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kInt64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kUInt8; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };
template <> struct DTypeOf<std::string> { static constexpr DType value = DType::kString; };
template <class T> inline constexpr DType dtype_of = DTypeOf<T>::value;

}  // namespace tapeflow
