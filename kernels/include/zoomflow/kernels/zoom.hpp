// In-memory resampling of a whole array, multithreaded with TBB (the calling arena's threads).
#pragma once

#include <span>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/volume.hpp"

namespace zoomflow {

// Resamples `input` to spec.output_shape into a new array.
Result<Volume> zoom(ConstArrayView input, const ResampleSpec& spec);

// The same, into the caller's array (shape spec.output_shape, same dtype as input).
Status zoom_into(ConstArrayView input, ArrayView output, const ResampleSpec& spec);

// scipy.ndimage.zoom(input, zoom, order, grid_mode=(grid == kCenters), mode='nearest').
Result<Volume> zoom(ConstArrayView input, std::span<const double> zoom_factors,
                    Interpolation interpolation = Interpolation::kNearest,
                    Grid grid = Grid::kCenters);

}  // namespace zoomflow
