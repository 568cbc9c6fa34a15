// In-memory resampling of a whole array, multithreaded with TBB (the calling arena's threads).
//
//   const double factors[] = {2.0, 2.0, 2.0};
//   auto out = zoom(view, factors, Interpolation::kCubic, Grid::kCorners, BoundaryMode::kConstant);
//   // = scipy.ndimage.zoom(x, 2) (order 3, mode 'constant', grid_mode=False)
#pragma once

#include <span>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/volume.hpp"

namespace zoomflow {

// Resamples `input` to spec.output_shape into a new array of the input's dtype.
Result<Volume> zoom(ConstArrayView input, const ResampleSpec& spec);

// The same, into the caller's array (shape spec.output_shape, any dtype: values are converted as
// resample_box converts them). Prefiltered orders filter the whole input once, then interpolate
// tiles of the output; the bytes are resample_box's for any cut.
Status zoom_into(ConstArrayView input, ArrayView output, const ResampleSpec& spec);

// scipy.ndimage.zoom(input, zoom, order, mode, cval, prefilter, grid_mode=(grid == kCenters)).
Result<Volume> zoom(ConstArrayView input, std::span<const double> zoom_factors,
                    Interpolation interpolation = Interpolation::kNearest,
                    Grid grid = Grid::kCenters, BoundaryMode mode = BoundaryMode::kNearest,
                    double cval = 0.0, bool prefilter = true);

}  // namespace zoomflow
