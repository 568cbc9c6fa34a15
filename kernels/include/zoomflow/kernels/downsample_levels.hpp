// Several levels of a pyramid from one input box, each exactly the direct reduction of the input
// by the product of the factors up to it -- never a reduction of a rounded level.
//
//   DownsampleLevels levels{{1024, 1024, 1024}, {{2, 2, 2}, {2, 2, 2}, {2, 2, 2}},
//   ReduceMethod::kMean};
//   // level k's box; each level's box the blocks of the next: box[k-1] = input box of box[k]
//   ZF_RETURN_IF_ERROR(downsample_levels(levels, input, input_origin, outputs, boxes, workspace));
//
// What makes it cheap, exactly (README.md, "Downsampling"): stride, and min and max of integers
// and bool, cascade -- level k is computed from level k-1's output; integer means (and bool's
// majority) cascade their exact sums and round each level once, from its count of input voxels.
// Float means (rounded sums in C order), float min and max (which -0.0 or +0.0 survives depends
// on C order over the whole block), mode and median do not compose: those levels are reduced
// directly from the input.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "zoomflow/kernels/downsample_spec.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/kernels/workspace.hpp"

namespace zoomflow {

struct DownsampleLevels {
  Shape input_shape;
  std::vector<Shape> factors;  // factors[k - 1] takes level k - 1 to level k; level 0 is the input
  ReduceMethod method = ReduceMethod::kMean;

  int levels() const { return int(factors.size()); }
  // The product of factors[0 .. level).
  Shape total_factors(int level) const;
  // Level `level` (1 .. levels()) as one reduction of the input.
  DownsampleSpec direct(int level) const;
  // Level `level` as a reduction of level - 1.
  DownsampleSpec step(int level) const;
  // At least one level; every direct and step spec valid.
  Status validate_for(DType dtype) const;
};

// Whether reducing level k - 1 by a step gives exactly the direct reduction of level 0: stride
// for every dtype; min and max for integers and bool.
bool reduction_cascades(ReduceMethod method, DType dtype);

// Fills outputs[k - 1] (the voxels of output_boxes[k - 1] of level k, any strides) for every
// level. `input` (from `input_origin`) must cover downsample_input_box(direct(k), box) of every
// level. A level is computed from the previous one where that is exact and the previous box
// covers its blocks, else from the input.
Status downsample_levels(const DownsampleLevels& levels, ConstArrayView input,
                         const IndexVector& input_origin, std::span<const ArrayView> outputs,
                         std::span<const Box> output_boxes, Workspace& workspace);

// The most scratch downsample_levels takes from a Workspace for these boxes, in bytes.
std::size_t downsample_levels_scratch_bytes(const DownsampleLevels& levels, DType dtype,
                                            std::span<const Box> output_boxes);

}  // namespace zoomflow
