#include "zoomflow/kernels/bspline.hpp"

#include <array>
#include <cmath>
#include <vector>

namespace zoomflow {
namespace {

// scipy's poles (ni_splines.c), in closed form: order 2 sqrt(8) - 3, order 3 sqrt(3) - 2, orders
// 4 and 5 the two roots of their characteristic polynomials.
constexpr double kPoles2[] = {-0.171572875253809902396622551580603843};
constexpr double kPoles3[] = {-0.267949192431122706472553658494127633};
constexpr double kPoles4[] = {-0.361341225900220177092212841325675255,
                              -0.013725429297339121360331226939128204};
constexpr double kPoles5[] = {-0.430575347099973791851434783493520110,
                              -0.043096288203264653822712376822550182};

// Smallest H with sum_{|j| > H} |h_j| < 1e-17 (checked by the kernels' tests).
constexpr int kHalo[kMaxSplineOrder + 1] = {0, 0, 22, 30, 40, 49};

// h_j for j = 0..H: the convolution of the poles' (1 - z) / (1 + z) z^|j|, summed in long
// double over |j| <= kReach (z^kReach is below 1e-70 for every pole).
std::vector<double> compute_taps(int order) {
  constexpr int kReach = 200;
  const std::span<const double> poles = prefilter_poles(order);
  std::vector<long double> h(2 * kReach + 1, 0.0L);
  h[kReach] = 1.0L;
  for (double pole : poles) {
    const long double z = pole;
    const long double scale = (1.0L - z) / (1.0L + z);
    std::vector<long double> g(2 * kReach + 1);
    for (int j = -kReach; j <= kReach; ++j) g[j + kReach] = scale * std::pow(z, std::abs(j));
    std::vector<long double> next(2 * kReach + 1, 0.0L);
    for (int k = -kReach; k <= kReach; ++k) {
      long double sum = 0.0L;
      for (int j = -kReach; j <= kReach; ++j) {
        const int other = k - j;
        if (other < -kReach || other > kReach) continue;
        sum += h[j + kReach] * g[other + kReach];
      }
      next[k + kReach] = sum;
    }
    h = std::move(next);
  }
  std::vector<double> taps(std::size_t(kHalo[order] + 1));
  for (int j = 0; j <= kHalo[order]; ++j) taps[std::size_t(j)] = double(h[j + kReach]);
  return taps;
}

}  // namespace

std::int64_t spline_first_tap(double coordinate, int order) {
  const double base = (order & 1) ? std::floor(coordinate) : std::floor(coordinate + 0.5);
  return std::int64_t(base) - order / 2;
}

void spline_weights(double coordinate, int order, double* w) {
  // The offset from the middle knot: [0, 1) for odd orders, (-0.5, 0.5] for even ones. Each
  // weight is scipy's polynomial in Horner form, operation for operation.
  const double x =
      coordinate - ((order & 1) ? std::floor(coordinate) : std::floor(coordinate + 0.5));
  double y = x;
  double z = 1.0 - x;
  double t;
  switch (order) {
    case 0:
      break;
    case 1:
      w[0] = 1.0 - x;
      break;
    case 2:
      w[1] = 0.75 - x * x;
      y = 0.5 - x;
      w[0] = 0.5 * y * y;
      break;
    case 3:
      w[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
      w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
      w[0] = z * z * z / 6.0;
      break;
    case 4:
      t = x * x;
      w[2] = t * (t * 0.25 - 0.625) + 115.0 / 192.0;
      y = 1.0 + x;
      w[1] = y * (y * (y * (5.0 - y) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
      w[3] = z * (z * (z * (5.0 - z) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
      y = 0.5 - x;
      t = y * y;
      w[0] = t * t / 24.0;
      break;
    default:  // 5
      t = y * y;
      w[2] = t * (t * (0.25 - y / 12.0) - 0.5) + 0.55;
      t = z * z;
      w[3] = t * (t * (0.25 - z / 12.0) - 0.5) + 0.55;
      y += 1.0;
      w[1] = y * (y * (y * (y * (y / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      z += 1.0;
      w[4] = z * (z * (z * (z * (z / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
      y = 1.0 - x;
      t = y * y;
      w[0] = y * t * t / 120.0;
      break;
  }
  // The weights sum to 1: the last is what the others leave.
  w[order] = 1.0;
  for (int i = 0; i < order; ++i) w[order] -= w[i];
}

std::span<const double> prefilter_poles(int order) {
  switch (order) {
    case 2:
      return kPoles2;
    case 3:
      return kPoles3;
    case 4:
      return kPoles4;
    case 5:
      return kPoles5;
    default:
      return {};
  }
}

int prefilter_halo(int order) {
  return order >= 0 && order <= kMaxSplineOrder ? kHalo[order] : 0;
}

std::span<const double> prefilter_taps(int order) {
  static const std::array<std::vector<double>, kMaxSplineOrder + 1> taps = [] {
    std::array<std::vector<double>, kMaxSplineOrder + 1> all;
    for (int order = 2; order <= kMaxSplineOrder; ++order)
      all[std::size_t(order)] = compute_taps(order);
    return all;
  }();
  if (order < 2 || order > kMaxSplineOrder) return {};
  return taps[std::size_t(order)];
}

}  // namespace zoomflow
