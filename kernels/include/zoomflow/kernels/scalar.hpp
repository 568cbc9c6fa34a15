// One value of a dtype, held in its own element type: what a constant block holds, and what a
// chain step maps it to.
//
//   Scalar c = Scalar::of(DType::kInt64, std::int64_t(1) << 62);
//   ConstArrayView one = c.view();   // a 1-element array of that dtype, for kernels
#pragma once

#include <array>
#include <cstddef>
#include <cstring>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow {

struct Scalar {
  DType dtype = DType::kFloat64;
  alignas(8) std::array<std::byte, 8> bytes{};

  template <class T>
  static Scalar of(DType dtype, T value) {
    static_assert(sizeof(T) <= 8);
    Scalar s;
    s.dtype = dtype;
    std::memcpy(s.bytes.data(), &value, sizeof(T));
    return s;
  }
  // The first element of `values`.
  static Scalar first_of(ConstArrayView values) {
    Scalar s;
    s.dtype = values.dtype();
    std::memcpy(s.bytes.data(), values.data(), dtype_size(values.dtype()));
    return s;
  }
  template <class T>
  T as() const {
    T value;
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
  }
  bool is_zero() const {
    for (std::size_t i = 0; i < dtype_size(dtype); ++i)
      if (bytes[i] != std::byte{0}) return false;
    return true;
  }
  ConstArrayView view() const { return {bytes.data(), dtype, Shape{1}}; }
  ArrayView view() { return {bytes.data(), dtype, Shape{1}}; }
};

}  // namespace zoomflow
