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

// One axis: input length n, output length m.
//
// The arithmetic is scipy.ndimage.zoom's own (scipy 1.10, ni_interpolation.c), operation for
// operation in IEEE double without fused multiply-add: zoom = n / m (centers) or
// (n - 1) / (m - 1) (corners, 1 when m == 1); s = (i + 0.5) * zoom - 0.5 or i * zoom; s clamped
// to [0, n - 1] (mode 'nearest'); order 0 takes floor(s + 0.5). Exact integer arithmetic would
// differ from scipy at exact ties whose zoom is not a binary fraction: 30 -> 51 on corners puts
// output 25 at s = 14.5 exactly, which scipy computes as 14.499999999999998 and samples voxel 14.
// Integer zooms are unaffected: on centers s + 0.5 = (2i + 1) / (2k) stays at least 1/(2k) from
// an integer, far beyond rounding, so every voxel is replicated exactly k times.
struct AxisMap {
  std::int64_t input_length;
  std::int64_t output_length;
  Grid grid;

  ZF_HOST_DEVICE double zoom() const {
    if (grid == Grid::kCenters) return double(input_length) / double(output_length);
    return output_length == 1 ? 1.0 : double(input_length - 1) / double(output_length - 1);
  }

  // s(i), clamped to [0, n - 1].
  ZF_HOST_DEVICE double source_coordinate(std::int64_t i) const {
    double s = double(i);
    if (grid == Grid::kCenters) {
      s += 0.5;
      s *= zoom();
      s -= 0.5;
    } else {
      s *= zoom();
    }
    const double last = double(input_length - 1);
    if (s < 0.0) s = 0.0;
    if (s > last) s = last;
    return s;
  }

  // floor(s(i) + 0.5), within [0, n - 1].
  ZF_HOST_DEVICE std::int64_t nearest(std::int64_t i) const {
    const std::int64_t j = std::int64_t(source_coordinate(i) + 0.5);  // >= 0: truncation is floor
    return j < input_length ? j : input_length - 1;
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
