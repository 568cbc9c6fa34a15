// The map from an output index to the input coordinate it samples, one axis at a time.
// Shared by the CPU and CUDA kernels (host and device code) so that they cannot drift.
#pragma once

#include <cstdint>

#include "zoomflow/kernels/host_device.hpp"

namespace zoomflow {

// Where samples sit. kCenters: scipy grid_mode=True, torch align_corners=False.
// kCorners: scipy's default grid_mode=False, torch align_corners=True.
enum class Grid : std::uint8_t { kCenters, kCorners };

// The spline order, 0 to 5, as scipy.ndimage's `order`: 0 nearest, 1 linear, 2-5 B-splines of
// that degree (on prefiltered coefficients unless the prefilter is off). int(order) is the order.
enum class Interpolation : std::uint8_t {
  kNearest = 0,
  kLinear = 1,
  kQuadratic = 2,
  kCubic = 3,
  kQuartic = 4,
  kQuintic = 5,
};
inline constexpr int kMaxSplineOrder = 5;

// The two input neighbours of a linear sample and the weight of the second.
struct LinearTap {
  std::int64_t j0;
  std::int64_t j1;
  double weight;
};

// One axis: input length n, output length m.
//
// The arithmetic is scipy.ndimage.zoom's own (ni_interpolation.c), operation for operation in
// IEEE double without fused multiply-add: zoom = n / m (centers) or (n - 1) / (m - 1) (corners,
// 1 when m == 1); s = (i + 0.5) * zoom - 0.5 or i * zoom. Exact integer arithmetic would differ
// from scipy at exact ties whose zoom is not a binary fraction: 30 -> 51 on corners puts output
// 25 at s = 14.5 exactly, which scipy computes as 14.499999999999998 and samples voxel 14.
// Integer zooms are unaffected: on centers s + 0.5 = (2i + 1) / (2k) stays at least 1/(2k) from
// an integer, far beyond rounding, so every voxel is replicated exactly k times.
//
// nearest() and linear() are the taps of mode 'nearest' (orders 0 and 1), what the CUDA
// kernels compute; every other mode and order goes through the CPU kernel's axis plan, which
// starts from the same zoomed_coordinate().
struct AxisMap {
  std::int64_t input_length;
  std::int64_t output_length;
  Grid grid;

  ZF_HOST_DEVICE double zoom() const {
    if (grid == Grid::kCenters) return double(input_length) / double(output_length);
    return output_length == 1 ? 1.0 : double(input_length - 1) / double(output_length - 1);
  }

  // s(i), unclamped: within [-0.5, n - 0.5] on centers, [0, n - 1] on corners (up to rounding).
  ZF_HOST_DEVICE double zoomed_coordinate(std::int64_t i) const {
    double s = double(i);
    if (grid == Grid::kCenters) {
      s += 0.5;
      s *= zoom();
      s -= 0.5;
    } else {
      s *= zoom();
    }
    return s;
  }

  // s(i), clamped to [0, n - 1].
  ZF_HOST_DEVICE double source_coordinate(std::int64_t i) const {
    double s = zoomed_coordinate(i);
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

  // scipy's order-1 taps in mode 'nearest': floor(s) and floor(s) + 1, each clamped to
  // [0, n - 1], weight s - floor(s). Beyond either edge both taps are the edge voxel (the value
  // is that voxel's whatever the weight; the weight still decides where infinities give NaN).
  ZF_HOST_DEVICE LinearTap linear(std::int64_t i) const {
    const double s = zoomed_coordinate(i);
    std::int64_t j = std::int64_t(s);
    if (double(j) > s) --j;  // floor for s < 0
    const std::int64_t last = input_length - 1;
    const std::int64_t j0 = j < 0 ? 0 : (j > last ? last : j);
    const std::int64_t j1 = j + 1 < 0 ? 0 : (j + 1 > last ? last : j + 1);
    return {j0, j1, s - double(j)};
  }
};

// True for every finite double, false for infinities and NaN (no <cmath> in device code).
ZF_HOST_DEVICE inline bool is_finite(double v) {
  return v - v == 0.0;
}

// v0 + w (v1 - v0): exact at w = 0 and for v0 == v1, so constant regions stay constant.
// Written without fused multiply-add (built with -ffp-contract=off / --fmad=false).
// Where that is not finite (an infinity among the values), scipy's own form
// v0 (1 - w) + v1 (1 - (1 - w)) gives scipy's answer: an infinity wherever its weight is
// positive, NaN where an infinity meets a zero weight or one of the other sign.
ZF_HOST_DEVICE inline double lerp(double v0, double v1, double w) {
  const double value = v0 + w * (v1 - v0);
  if (is_finite(value)) return value;
  const double w0 = 1.0 - w;
  return v0 * w0 + v1 * (1.0 - w0);
}

}  // namespace zoomflow
