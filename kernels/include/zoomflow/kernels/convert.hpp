// Converting values between element types, as a chain's final conversion and `cast` do:
//   integers from floats: round half away from zero (scipy's +-0.5 and truncate), then saturate;
//   integers from integers: saturate, exactly (64-bit values keep every bit);
//   bool from anything: value != 0 (NaN is true);
//   floats from anything: rounded to the type.
//
//   convert_array(float64_view, uint16_view);   // same shape, any strides
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/saturate_cast.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow {

// One value of element type From to element type To (`to_bool`: the target dtype is bool).
template <class To, class From>
inline To convert_value(From value, bool to_bool) {
  if (to_bool) return To(value != From(0));  // NaN != 0: true
  if constexpr (std::is_floating_point_v<To> || std::is_same_v<To, From>) {
    return static_cast<To>(value);
  } else if constexpr (std::is_floating_point_v<From>) {
    return saturate_cast<To>(double(value));
  } else if constexpr (std::is_signed_v<From> == std::is_signed_v<To>) {
    // Same signedness: compare in the wider of the two types.
    using Wide = std::conditional_t<(sizeof(From) > sizeof(To)), From, To>;
    if (Wide(value) < Wide(std::numeric_limits<To>::lowest()))
      return std::numeric_limits<To>::lowest();
    if (Wide(value) > Wide(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  } else if constexpr (std::is_signed_v<From>) {
    // Signed to unsigned.
    if (value < 0) return To(0);
    if (std::make_unsigned_t<From>(value) > std::numeric_limits<To>::max())
      return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  } else {
    // Unsigned to signed.
    if (value > std::make_unsigned_t<To>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  }
}

// Writes every element of `from` into `to` (same shape), converted to to.dtype() as above.
// The same dtype is a copy.
Status convert_array(ConstArrayView from, ArrayView to);

// True when every byte of every element is zero (the fill value).
bool all_zero_bytes(ConstArrayView values);

// True when every element has the bytes of the first (a constant array; an empty array is not).
bool all_same_bytes(ConstArrayView values);

}  // namespace zoomflow
