// What a resampling computes: input and output shapes, spline order, grid, boundary mode, cval
// and prefilter, as scipy.ndimage.zoom(x, zoom, order, mode, cval, prefilter, grid_mode); and
// the index arithmetic between output boxes and the input boxes they need.
#pragma once

#include <span>

#include "zoomflow/kernels/boundary_mode.hpp"
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
  Interpolation interpolation = Interpolation::kNearest;  // the order, 0..5
  Grid grid = Grid::kCenters;
  BoundaryMode mode = BoundaryMode::kNearest;
  double cval = 0.0;      // the value outside the input in modes constant and grid-constant
  bool prefilter = true;  // orders 2-5: interpolate prefiltered coefficients (scipy's default)

  int rank() const { return input_shape.rank(); }
  int order() const { return int(interpolation); }
  AxisMap axis(int a) const { return {input_shape[a], output_shape[a], grid}; }
  // Orders 2-5 with the prefilter on: the kernel turns samples into spline coefficients first.
  bool prefiltered() const { return order() >= 2 && prefilter; }
  // Every output length equals the input's and the prefilter is on: scipy returns the input
  // itself (its early exit for zoom 1), so the output is the input, converted.
  bool is_identity() const;

  // Ranks agree and are 1..kMaxRank, lengths are positive and in range, the order is 0..5,
  // the mode is one of BoundaryMode's.
  Status validate() const;
  // validate() plus what depends on the element type (bool takes order 0 only).
  Status validate_for(DType dtype) const;
};

// scipy's output shape: round-half-even(n * zoom) per axis, at least 1.
Result<Shape> zoomed_shape(const Shape& input_shape, std::span<const double> zoom);

// The input box whose voxels the output box depends on, clipped to the input: the spline's
// taps (mirrored, clamped or wrapped by the mode) and, for prefiltered orders, every sample the
// coefficients at those taps depend on (prefilter_halo(order) further, or the whole axis where it
// is shorter than the halo). Reading just this box gives a block the bytes of any other cut.
// An output box that needs no input at all (every voxel cval) gets a box of one voxel.
Box required_input_box(const ResampleSpec& spec, const Box& output_box);

}  // namespace zoomflow
