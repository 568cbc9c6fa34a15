// Converting a double result to an element type, as scipy.ndimage does for integer outputs
// (round half away from zero), plus clamping to the type's range.
#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "zoomflow/kernels/host_device.hpp"

namespace zoomflow {

template <class T>
ZF_HOST_DEVICE inline T saturate_cast(double value) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(value);
  } else {
    // scipy adds +-0.5 and truncates; the same arithmetic gives the same ties.
    const double rounded = value >= 0.0 ? value + 0.5 : value - 0.5;
    constexpr double lowest = double(std::numeric_limits<T>::lowest());
    constexpr double highest = double(std::numeric_limits<T>::max());
    if (!(rounded > lowest)) return std::numeric_limits<T>::lowest();  // NaN lands here too
    if (rounded >= highest) return std::numeric_limits<T>::max();
    return static_cast<T>(rounded);
  }
}

}  // namespace zoomflow
