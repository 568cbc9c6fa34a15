// How a downsampling block of voxels becomes one voxel: TensorStore's downsample methods.
//
//   auto method = parse_reduce_method("mode");   // std::optional<ReduceMethod>
//   reduce_method_name(ReduceMethod::kMedian);    // "median"
//
// The exact rules of each method (rounding, ties, NaN, bool) are in README.md, "Downsampling".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zoomflow {

enum class ReduceMethod : std::uint8_t {
  kStride,  // the block's first voxel
  kMean,    // arithmetic mean; integers rounded half to even
  kMode,    // most frequent value, the lowest on ties
  kMedian,  // the lower median
  kMin,
  kMax,
};

inline constexpr ReduceMethod kAllReduceMethods[] = {
    ReduceMethod::kStride, ReduceMethod::kMean, ReduceMethod::kMode,
    ReduceMethod::kMedian, ReduceMethod::kMin,  ReduceMethod::kMax,
};

// "stride", "mean", "mode", "median", "min", "max" (TensorStore's names).
std::string_view reduce_method_name(ReduceMethod method);
std::optional<ReduceMethod> parse_reduce_method(std::string_view name);

}  // namespace zoomflow
