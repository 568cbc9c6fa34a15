// Random test volumes for comparing backends byte for byte.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/volume.hpp"

namespace zoomflow::testing {

// Integers take any value of their type (saturation at both ends is exercised); bool takes 0 or
// 1. Floats take finite values over many magnitudes, signed zeros and subnormals included, for
// order 1; for order 0, which only copies, any bit pattern (infinities and NaNs too).
// Order 1 never sees NaN or infinity: lerp turns them into NaN, whose bit pattern (sign,
// payload) is not specified to match between the CPU and the GPU.
inline void fill_random(Volume& volume, Interpolation interpolation, std::mt19937_64& rng) {
  std::byte* bytes = volume.bytes().data();
  const Index count = volume.num_elements();
  const DType dtype = volume.dtype();
  for (Index i = 0; i < count; ++i) {
    const std::uint64_t bits = rng();
    switch (dtype) {
      case DType::kBool: {
        const std::uint8_t b = bits & 1;
        std::memcpy(bytes + i, &b, 1);
        break;
      }
      case DType::kFloat32: {
        float f;
        if (interpolation == Interpolation::kNearest) {
          const auto raw = std::uint32_t(bits);
          std::memcpy(&f, &raw, 4);
        } else {
          f = std::ldexp(float(std::int32_t(bits >> 32)) / 2147483648.0f, int(bits % 200) - 140);
          if (bits % 97 == 0) f = -0.0f;
        }
        std::memcpy(bytes + i * 4, &f, 4);
        break;
      }
      case DType::kFloat64: {
        double d;
        if (interpolation == Interpolation::kNearest) {
          std::memcpy(&d, &bits, 8);
        } else {
          d = std::ldexp(double(std::int64_t(rng())) / 9.2e18, int(bits % 2000) - 1060);
          if (bits % 97 == 0) d = -0.0;
        }
        std::memcpy(bytes + i * 8, &d, 8);
        break;
      }
      default:
        std::memcpy(bytes + i * Index(dtype_size(dtype)), &bits, dtype_size(dtype));
    }
  }
}

}  // namespace zoomflow::testing
