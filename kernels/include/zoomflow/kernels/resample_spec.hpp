// What a resampling computes: input and output shapes, order and grid; and the index
// arithmetic between output boxes and the input boxes they need.
#pragma once

#include <span>

#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow {

// Axis lengths stay below this so index products fit in 64 bits.
inline constexpr Index kMaxAxisLength = Index(1) << 31;
// Outputs larger than this are refused as a likely typo.
inline constexpr Index kMaxOutputElements = Index(1) << 50;

struct ResampleSpec {
  Shape input_shape;
  Shape output_shape;
  Interpolation interpolation = Interpolation::kNearest;
  Grid grid = Grid::kCenters;

  int rank() const { return input_shape.rank(); }
  AxisMap axis(int a) const { return {input_shape[a], output_shape[a], grid}; }

  // Ranks agree and are 1..kMaxRank, lengths are positive and in range.
  Status validate() const;
  // validate() plus what depends on the element type (bool takes order 0 only).
  Status validate_for(DType dtype) const;
};

// scipy's output shape: round-half-even(n * zoom) per axis, at least 1.
Result<Shape> zoomed_shape(const Shape& input_shape, std::span<const double> zoom);

// The input box whose voxels the output box depends on (exact, never larger than needed;
// for order 1 it reaches one voxel further, the linear halo).
Box required_input_box(const ResampleSpec& spec, const Box& output_box);

}  // namespace zoomflow
