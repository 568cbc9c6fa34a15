// Element types zoomflow reads, resamples and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

namespace zoomflow {

// bool is stored as one byte holding 0 or 1 (h5py's FALSE/TRUE enum over int8).
enum class DType : std::uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,
  kFloat64,
};

inline constexpr DType kAllDTypes[] = {
    DType::kBool,   DType::kInt8,   DType::kInt16,  DType::kInt32,   DType::kInt64,   DType::kUInt8,
    DType::kUInt16, DType::kUInt32, DType::kUInt64, DType::kFloat32, DType::kFloat64,
};

std::size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);
// Accepts the names dtype_name gives ("bool", "uint16", "float32", ...).
std::optional<DType> parse_dtype(std::string_view name);

constexpr bool is_floating(DType d) {
  return d == DType::kFloat32 || d == DType::kFloat64;
}

// The C++ type that holds one element of a dtype (bool is a byte).
template <DType D>
struct ElementType;
template <>
struct ElementType<DType::kBool> {
  using type = std::uint8_t;
};
template <>
struct ElementType<DType::kInt8> {
  using type = std::int8_t;
};
template <>
struct ElementType<DType::kInt16> {
  using type = std::int16_t;
};
template <>
struct ElementType<DType::kInt32> {
  using type = std::int32_t;
};
template <>
struct ElementType<DType::kInt64> {
  using type = std::int64_t;
};
template <>
struct ElementType<DType::kUInt8> {
  using type = std::uint8_t;
};
template <>
struct ElementType<DType::kUInt16> {
  using type = std::uint16_t;
};
template <>
struct ElementType<DType::kUInt32> {
  using type = std::uint32_t;
};
template <>
struct ElementType<DType::kUInt64> {
  using type = std::uint64_t;
};
template <>
struct ElementType<DType::kFloat32> {
  using type = float;
};
template <>
struct ElementType<DType::kFloat64> {
  using type = double;
};

// Calls f(std::type_identity<T>{}) with the element type of `dtype`.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  using std::type_identity;
  switch (dtype) {
    case DType::kBool:
      return f(type_identity<std::uint8_t>{});
    case DType::kInt8:
      return f(type_identity<std::int8_t>{});
    case DType::kInt16:
      return f(type_identity<std::int16_t>{});
    case DType::kInt32:
      return f(type_identity<std::int32_t>{});
    case DType::kInt64:
      return f(type_identity<std::int64_t>{});
    case DType::kUInt8:
      return f(type_identity<std::uint8_t>{});
    case DType::kUInt16:
      return f(type_identity<std::uint16_t>{});
    case DType::kUInt32:
      return f(type_identity<std::uint32_t>{});
    case DType::kUInt64:
      return f(type_identity<std::uint64_t>{});
    case DType::kFloat32:
      return f(type_identity<float>{});
    case DType::kFloat64:
      break;
  }
  return f(type_identity<double>{});
}

}  // namespace zoomflow
