// The map from an output index to the input coordinate it samples, one axis at a time.
// Shared by the CPU and CUDA kernels (host and device code) so that they cannot drift.
#pragma once

#include <cstdint>

#include "zoomflow/kernels/host_device.hpp"

namespace zoomflow {

// Where samples sit. kCenters: scipy grid_mode=True, torch align_corners=False.
// kCorners: scipy's default grid_mode=False, torch align_corners=True.
enum class Grid : std::uint8_t { kCenters, kCorners };

// Spline order 0 or 1.
enum class Interpolation : std::uint8_t { kNearest = 0, kLinear = 1 };

// The two input neighbours of a linear sample and the weight of the second.
struct LinearTap {
  std::int64_t j0;
  std::int64_t j1;
  double weight;
};

// One axis: input length n, output length m. Lengths are below 2^31, so the integer products
// below cannot overflow 64 bits.
struct AxisMap {
  std::int64_t input_length;
  std::int64_t output_length;
  Grid grid;

  // floor(s(i) + 0.5) clamped to [0, n-1], in exact integer arithmetic.
  ZF_HOST_DEVICE std::int64_t nearest(std::int64_t i) const {
    const std::int64_t n = input_length;
    const std::int64_t m = output_length;
    std::int64_t j;
    if (grid == Grid::kCenters) {
      // s + 0.5 = (2i + 1) n / (2m), never negative.
      j = ((2 * i + 1) * n) / (2 * m);
    } else {
      if (m == 1) return 0;
      // s + 0.5 = (2 i (n - 1) + (m - 1)) / (2 (m - 1)).
      j = (2 * i * (n - 1) + (m - 1)) / (2 * (m - 1));
    }
    return j < n ? j : n - 1;
  }

  // s(i) clamped to [0, n-1]; one rounding of an exact integer ratio.
  ZF_HOST_DEVICE double source_coordinate(std::int64_t i) const {
    const std::int64_t n = input_length;
    const std::int64_t m = output_length;
    double s;
    if (grid == Grid::kCenters) {
      s = double((2 * i + 1) * n - m) / double(2 * m);
    } else {
      s = m == 1 ? 0.0 : double(i * (n - 1)) / double(m - 1);
    }
    if (s < 0.0) s = 0.0;
    if (s > double(n - 1)) s = double(n - 1);
    return s;
  }

  ZF_HOST_DEVICE LinearTap linear(std::int64_t i) const {
    const double s = source_coordinate(i);
    const std::int64_t j0 = std::int64_t(s);  // s >= 0, so truncation is floor
    const std::int64_t j1 = j0 + 1 < input_length ? j0 + 1 : input_length - 1;
    return {j0, j1, s - double(j0)};
  }
};

// v0 + w (v1 - v0): exact at w = 0 and for v0 == v1, so constant regions stay constant.
// Written without fused multiply-add (built with -ffp-contract=off / --fmad=false).
ZF_HOST_DEVICE inline double lerp(double v0, double v1, double w) {
  return v0 + w * (v1 - v0);
}

}  // namespace zoomflow
