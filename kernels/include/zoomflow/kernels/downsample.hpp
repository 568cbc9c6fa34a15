// The CPU downsampling kernel for one output box; single-threaded, so callers choose how to
// spread boxes over threads. Results equal TensorStore's downsample driver (README.md,
// "Downsampling") and are the same bytes for any cut of the output into boxes and any strides.
//
//   DownsampleSpec spec{input_shape, {2, 2, 2}, ReduceMethod::kMean};
//   Workspace workspace;                                      // one per thread, reused
//   const Box needed = downsample_input_box(spec, output_box);
//   ZF_RETURN_IF_ERROR(downsample_box(spec, input.subview(needed), needed.origin,
//                                     output.subview(output_box), output_box, workspace));
#pragma once

#include <cstddef>

#include "zoomflow/kernels/downsample_spec.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/workspace.hpp"

namespace zoomflow {

// Fills `output` (the voxels of `output_box`, any strides) from `input` (any strides), which
// holds the input voxels of the box starting at `input_origin` and must cover
// downsample_input_box(spec, output_box). The output dtype is the input's. Scratch comes from
// `workspace` (at most downsample_scratch_bytes).
Status downsample_box(const DownsampleSpec& spec, ConstArrayView input,
                      const IndexVector& input_origin, ArrayView output, const Box& output_box,
                      Workspace& workspace);

// The most scratch downsample_box takes from a Workspace for this box and dtype, in bytes.
std::size_t downsample_scratch_bytes(const DownsampleSpec& spec, DType dtype,
                                     const Box& output_box);

}  // namespace zoomflow
