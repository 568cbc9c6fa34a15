// The CPU resampling kernel for one output box; single-threaded, so callers choose how to
// spread boxes over threads. Any cut of the output gives the same bytes.
#pragma once

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow {

// Fills `output` (the voxels of `output_box`) from `input`, which holds the input voxels of
// the box starting at `input_origin` and must cover required_input_box(spec, output_box).
Status resample_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                    ArrayView output, const Box& output_box);

}  // namespace zoomflow
