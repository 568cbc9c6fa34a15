// The CPU resampling kernel for one output box; single-threaded, so callers choose how to
// spread boxes over threads. Any cut of the output gives the same bytes.
//
//   const Box needed = required_input_box(spec, output_box);
//   // ... read `needed` into `input` ...
//   Workspace workspace;  // one per thread, kept between boxes
//   Status s = resample_box(spec, input, needed.origin, output, output_box, workspace);
#pragma once

#include <cstddef>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/workspace.hpp"

namespace zoomflow {

// Fills `output` (the voxels of `output_box`) from `input`, which holds the input voxels of
// the box starting at `input_origin` and must cover required_input_box(spec, output_box).
// The output may have any dtype: values are computed in double and converted as scipy does
// (integers round half away from zero and saturate, bool is v != 0, float32 rounds; float64
// output is the double itself, unrounded); order 0 into the input's own dtype copies voxels
// exactly. Scratch comes from `workspace` (resample_scratch_bytes says how much).
Status resample_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                    ArrayView output, const Box& output_box, Workspace& workspace);

// The same with a Workspace of its own, freed on return.
Status resample_box(const ResampleSpec& spec, ConstArrayView input, const IndexVector& input_origin,
                    ArrayView output, const Box& output_box);

// The bytes resample_box takes from its Workspace for `output_box` with an output of the input's
// dtype (0 for order 0, which copies voxels); a run counts them against its memory limit.
std::size_t resample_scratch_bytes(const ResampleSpec& spec, const Box& output_box);
// The same for any pair of dtypes (order 0 into another dtype converts through double).
std::size_t resample_scratch_bytes(const ResampleSpec& spec, const Box& output_box,
                                   DType input_dtype, DType output_dtype);

// True when, with every voxel of required_input_box(spec, output_box) equal to `value`,
// resample_box writes `value` converted to the output's dtype to every voxel of the box (order 0:
// the voxel itself) -- the shortcut a run may take for a constant input box. False where cval
// or a mode's padding reaches the box, where the value is not finite (orders 1-5), and on axes
// short enough to be prefiltered whole, where scipy's recursion does not keep constants exactly.
bool resample_keeps_constant(const ResampleSpec& spec, const Box& output_box, double value);

}  // namespace zoomflow
