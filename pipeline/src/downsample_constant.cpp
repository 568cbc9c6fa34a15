#include "downsample_constant.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <type_traits>
#include <vector>

namespace zoomflow::detail {
namespace {

// Longer blocks are computed rather than predicted: the prediction loops once per voxel.
constexpr Index kMostPredictedVoxels = Index(1) << 16;

// The float mean of `count` copies of v: the kernel's sum in T from +0.0, voxel by voxel, then
// divided by the count in T (so a mean of -0.0s is +0.0, and 0.1f three times is not 0.1f).
template <class T>
T float_mean_of_copies(T v, Index count) {
  T sum = T(0);
  for (Index i = 0; i < count; ++i) sum += v;
  return sum / T(count);
}

// The voxel counts of the blocks that output_box reduces: per axis, whole blocks (f voxels) and
// the last block of the axis (what is left of it), multiplied over the axes.
std::set<Index> block_counts(const DownsampleSpec& spec, const Box& output_box) {
  std::set<Index> counts{1};
  for (int a = 0; a < spec.rank(); ++a) {
    const Index f = spec.factors[a], n = spec.input_shape[a];
    const auto count = [&](Index i) { return std::min(f, n - i * f); };
    std::set<Index> axis{count(output_box.origin[a]), count(output_box.end(a) - 1)};
    std::set<Index> next;
    for (Index c : counts)
      for (Index k : axis) next.insert(c * k);
    counts = std::move(next);
  }
  return counts;
}

}  // namespace

std::optional<Scalar> downsample_constant(const DownsampleSpec& spec, const Scalar& value,
                                          const Box& output_box) {
  // Nothing downsampled: the input is copied (a lone NaN stays NaN under min).
  if (spec.block_elements() == 1 || output_box.empty()) return value;
  return visit_dtype(value.dtype, [&](auto tag) -> std::optional<Scalar> {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_floating_point_v<T>) {
      // Integers and bool: every method gives the value (exact means round nothing away).
      return value;
    } else {
      const T v = value.as<T>();
      switch (spec.method) {
        case ReduceMethod::kStride:
        case ReduceMethod::kMode:
        case ReduceMethod::kMedian:
          return value;
        case ReduceMethod::kMin:
          // The fold starts at +inf and never takes a NaN.
          return std::isnan(v) ? Scalar::of(value.dtype, std::numeric_limits<T>::infinity())
                               : value;
        case ReduceMethod::kMax:
          return std::isnan(v) ? Scalar::of(value.dtype, -std::numeric_limits<T>::infinity())
                               : value;
        case ReduceMethod::kMean: {
          std::optional<T> mean;
          for (Index count : block_counts(spec, output_box)) {
            if (count > kMostPredictedVoxels) return std::nullopt;
            const T m = float_mean_of_copies(v, count);
            if (mean && std::memcmp(&*mean, &m, sizeof(T)) != 0) return std::nullopt;
            mean = m;
          }
          return Scalar::of(value.dtype, *mean);
        }
      }
      return std::nullopt;
    }
  });
}

}  // namespace zoomflow::detail
