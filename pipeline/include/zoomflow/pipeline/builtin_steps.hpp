// The built-in chain steps.
#pragma once

#include <vector>

#include "zoomflow/kernels/boundary_mode.hpp"
#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/pipeline/chain_step.hpp"

namespace zoomflow {

// Resampling as `zoomflow resample`: one zoom factor, one per axis, or an output shape.
struct ResampleStepSpec {
  std::vector<double> zoom;  // one, or one per axis; or empty and shape given
  Shape shape;
  Interpolation interpolation = Interpolation::kNearest;
  Grid grid = Grid::kCenters;
  BoundaryMode mode = BoundaryMode::kNearest;
  double cval = 0.0;
  bool prefilter = true;
};
ChainStepPtr resample_step(ResampleStepSpec spec);
// The kernel's spec of a resample step over an input of `input_shape`; nullopt when `step` is
// not a resample step (the GPU backend runs these alone).
std::optional<ResampleSpec> resample_step_spec(const ChainStep& step, const Shape& input_shape);

// v < lo -> lo, v > hi -> hi.
ChainStepPtr clip_step(double lo, double hi);
// v * mul + add (two roundings: no fused multiply-add).
ChainStepPtr scale_step(double mul, double add);
// Rounds half away from zero and saturates to the dtype's range (integers); float32 rounds to
// float; the dtype becomes `dtype`.
ChainStepPtr cast_step(DType dtype);

enum class Comparison { kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };
// 1 where `v op value`, else 0; the dtype becomes bool.
ChainStepPtr threshold_step(Comparison op, double value);

// scipy.ndimage.gaussian_filter(mode='nearest', truncate=4.0): separable, radius
// int(4 sigma + 0.5) per axis, weights exp(-x^2 / (2 sigma^2)) normalised to sum 1, in double,
// axes in order 0, 1, ...; edges replicate the volume's edge voxels. sigma 0 leaves an axis.
ChainStepPtr gaussian_step(std::vector<double> sigma);

}  // namespace zoomflow
