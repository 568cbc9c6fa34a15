// A value as its dtype holds it: an exact 64-bit integer (signed or unsigned), a float32 or a
// float64, printed exactly (integers as integers, floats with the fewest digits that read back
// to the same value), so a report never shows two different values as the same text.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

namespace zoomflow {

using Number = std::variant<std::int64_t, std::uint64_t, float, double>;

// The element `value` of a dtype's element type (bool and every integer as an integer).
template <class T>
Number number_of(T value) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    return value;
  } else if constexpr (std::is_signed_v<T>) {
    return std::int64_t(value);
  } else {
    return std::uint64_t(value);
  }
}

std::string to_string(const Number& number);
double to_double(const Number& number);

}  // namespace zoomflow
