// An independent, deliberately plain reference for resampling, written from scipy's published
// arithmetic without any of zoomflow's kernel code: used to check the kernels.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace zoomflow::testing {

// scipy.ndimage.zoom's source coordinate (ni_interpolation.c, scipy 1.10), in its own order of
// double operations, clamped to [0, n - 1] as mode='nearest' does.
inline double reference_coordinate(std::int64_t i, std::int64_t n, std::int64_t m, bool centers) {
  double zoom;
  if (centers)
    zoom = double(n) / double(m);
  else
    zoom = m > 1 ? double(n - 1) / double(m - 1) : 1.0;
  double cc = double(i);
  if (centers)
    cc = (cc + 0.5) * zoom - 0.5;
  else
    cc = cc * zoom;
  return std::min(std::max(cc, 0.0), double(n - 1));
}

// Order 0: floor(cc + 0.5).
inline std::int64_t reference_nearest(std::int64_t i, std::int64_t n, std::int64_t m,
                                      bool centers) {
  const auto j = std::int64_t(std::floor(reference_coordinate(i, n, m, centers) + 0.5));
  return std::min<std::int64_t>(std::max<std::int64_t>(j, 0), n - 1);
}

// Rounds half away from zero and clamps to T's range (T integer), or converts (T float).
template <class T>
T reference_store(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return T(v);
  } else {
    const double r = std::round(v);
    if (r <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (r >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(r);
  }
}

// out = zoom(in) for C-order arrays of any rank: per voxel, order 0 picks the nearest source;
// order 1 sums the 2^rank corners of the cell with product weights.
template <class T>
std::vector<T> reference_zoom(const std::vector<T>& in, const std::vector<std::int64_t>& in_shape,
                              const std::vector<std::int64_t>& out_shape, int order, bool centers) {
  const int rank = int(in_shape.size());
  std::int64_t total = 1;
  for (auto e : out_shape) total *= e;
  std::vector<std::int64_t> in_strides(rank, 1);
  for (int a = rank - 2; a >= 0; --a) in_strides[a] = in_strides[a + 1] * in_shape[a + 1];
  std::vector<T> out(static_cast<std::size_t>(total));
  std::vector<std::int64_t> index(rank, 0);
  for (std::int64_t n = 0; n < total; ++n) {
    if (order == 0) {
      std::int64_t offset = 0;
      for (int a = 0; a < rank; ++a)
        offset += reference_nearest(index[a], in_shape[a], out_shape[a], centers) * in_strides[a];
      out[std::size_t(n)] = in[std::size_t(offset)];
    } else {
      std::vector<std::int64_t> lo(rank), hi(rank);
      std::vector<double> w(rank);
      for (int a = 0; a < rank; ++a) {
        const double s = reference_coordinate(index[a], in_shape[a], out_shape[a], centers);
        lo[a] = std::int64_t(std::floor(s));
        hi[a] = std::min(lo[a] + 1, in_shape[a] - 1);
        w[a] = s - double(lo[a]);
      }
      double sum = 0;
      for (int corner = 0; corner < (1 << rank); ++corner) {
        double weight = 1;
        std::int64_t offset = 0;
        for (int a = 0; a < rank; ++a) {
          const bool upper = (corner >> a) & 1;
          weight *= upper ? w[a] : 1 - w[a];
          offset += (upper ? hi[a] : lo[a]) * in_strides[a];
        }
        sum += weight * double(in[std::size_t(offset)]);
      }
      out[std::size_t(n)] = reference_store<T>(sum);
    }
    for (int a = rank - 1; a >= 0; --a) {
      if (++index[a] < out_shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

}  // namespace zoomflow::testing
