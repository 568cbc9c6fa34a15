#include "zoomflow/kernels/pattern.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace zoomflow {
namespace {

// splitmix64: a well-mixed hash of a 64-bit value.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed's bounds as fractions of (1024, 1024, 512), applied to the last three axes.
struct Fraction {
  Index lo, hi, of;
};
constexpr Fraction kSeedBounds[3] = {{50, 600, 1024}, {200, 1000, 1024}, {5, 30, 512}};

template <class T>
T from_double(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return T(v);
  } else {
    constexpr double lo = double(std::numeric_limits<T>::lowest());
    constexpr double hi = double(std::numeric_limits<T>::max());
    return T(std::clamp(std::round(v), lo, hi));
  }
}

template <class T>
void fill_typed(Pattern pattern, DType dtype, const Shape& shape, const Box& box,
                StridedView<T> out, std::uint64_t seed) {
  const int rank = shape.rank();
  const Box region = box_pattern_region(shape);
  IndexVector local = IndexVector::filled(rank, 0);
  const Index total = box.num_elements();
  const auto volume_strides = contiguous_strides(shape);
  if (pattern == Pattern::kBox) {
    // Row by row: the seed volume has half a billion voxels.
    const int last = rank - 1;
    const Index row_length = box.extent[last];
    const Index x_lo = std::clamp(region.origin[last] - box.origin[last], Index(0), row_length);
    const Index x_hi = std::clamp(region.end(last) - box.origin[last], Index(0), row_length);
    const Index stride = out.strides()[last];
    for (Index r = 0; r < total / std::max<Index>(row_length, 1); ++r) {
      bool inside = true;
      for (int a = 0; a < last; ++a) {
        const Index g = local[a] + box.origin[a];
        inside = inside && g >= region.origin[a] && g < region.end(a);
      }
      T* row = &out[local];
      for (Index x = 0; x < row_length; ++x)
        row[x * stride] = T(inside && x >= x_lo && x < x_hi ? 1 : 0);
      for (int a = last - 1; a >= 0; --a) {
        if (++local[a] < box.extent[a]) break;
        local[a] = 0;
      }
    }
    return;
  }
  // Noise and labels, row by row, from per-axis tables: the smooth field is a product of one
  // factor per axis, the labels a hash of the 16-voxel cell.
  const int last = rank - 1;
  std::vector<double> smooth_factor[kMaxRank];
  for (int a = 0; a < rank; ++a) {
    smooth_factor[a].resize(std::size_t(box.extent[a]));
    for (Index k = 0; k < box.extent[a]; ++k)
      smooth_factor[a][std::size_t(k)] =
          0.6 + 0.4 * std::sin(6.283185307179586 * double(box.origin[a] + k) /
                                   double(std::max<Index>(shape[a], 8)) * 2.0 +
                               a);
  }
  const Index row_length = box.extent[last];
  const Index stride = out.strides()[last];
  for (Index r = 0; r < total / std::max<Index>(row_length, 1); ++r) {
    double outer_smooth = 1.0;
    Index outer_linear = 0;
    std::uint64_t outer_cell = seed;
    for (int a = 0; a < last; ++a) {
      outer_smooth *= smooth_factor[a][std::size_t(local[a])];
      outer_linear += (local[a] + box.origin[a]) * volume_strides[a];
      outer_cell = mix(outer_cell ^ std::uint64_t((local[a] + box.origin[a]) / 16 + 1000 * a));
    }
    T* row = &out[local];
    for (Index x = 0; x < row_length; ++x) {
      const Index gx = box.origin[last] + x;
      T value{};
      if (pattern == Pattern::kNoise) {
        const double smooth = outer_smooth * smooth_factor[last][std::size_t(x)];
        const Index linear = outer_linear + gx * volume_strides[last];
        const double noise = double(mix(seed ^ std::uint64_t(linear)) >> 11) * 0x1.0p-53 - 0.5;
        double v = 1000.0 * smooth + 120.0 * noise;
        if (dtype == DType::kBool)
          v = v > 500.0 ? 1.0 : 0.0;
        else if (!is_floating(dtype) && sizeof(T) == 1)
          v = v / 8.0;
        value = from_double<T>(v);
      } else {
        const std::uint64_t cell = mix(outer_cell ^ std::uint64_t(gx / 16 + 1000 * last));
        const std::uint64_t label = (cell % 5 == 0) ? 0 : 1 + (cell >> 8) % 1000;
        value = dtype == DType::kBool
                    ? T(label != 0)
                    : from_double<T>(double(label % (sizeof(T) == 1 ? 100 : 1000)));
      }
      row[x * stride] = value;
    }
    for (int a = last - 1; a >= 0; --a) {
      if (++local[a] < box.extent[a]) break;
      local[a] = 0;
    }
  }
}

}  // namespace

std::optional<Pattern> parse_pattern(std::string_view name) {
  for (Pattern p : {Pattern::kBox, Pattern::kNoise, Pattern::kLabels})
    if (pattern_name(p) == name) return p;
  return std::nullopt;
}

std::string_view pattern_name(Pattern pattern) {
  switch (pattern) {
    case Pattern::kBox:
      return "box";
    case Pattern::kNoise:
      return "noise";
    case Pattern::kLabels:
      return "labels";
  }
  return "unknown";
}

Box box_pattern_region(const Shape& volume_shape) {
  Box region = Box::from_shape(volume_shape);
  const int rank = volume_shape.rank();
  for (int k = 0; k < 3 && k < rank; ++k) {
    const int axis = rank - 1 - k;
    const Fraction f = kSeedBounds[2 - k];
    const Index n = volume_shape[axis];
    const Index lo = n * f.lo / f.of;
    const Index hi = std::max(lo + 1, n * f.hi / f.of);
    region.origin[axis] = lo;
    region.extent[axis] = std::min(hi, n) - lo;
  }
  return region;
}

Status fill_pattern(Pattern pattern, const Shape& volume_shape, const Box& box, ArrayView out,
                    std::uint64_t seed) {
  if (!Box::from_shape(volume_shape).contains(box) || !(out.shape() == box.extent))
    return make_error(ErrorCode::kInvalidArgument,
                      "pattern box " + to_string(box) + " does not fit the volume " +
                          to_string(volume_shape) + " or the view " + to_string(out.shape()));
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    fill_typed<T>(pattern, out.dtype(), volume_shape, box, out.as<T>(), seed);
  });
  return ok_status();
}

}  // namespace zoomflow
