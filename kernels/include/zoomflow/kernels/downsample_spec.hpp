// What a downsampling computes: an input shape, an integer factor per axis and a reduction; and
// the index arithmetic between output boxes and the input boxes they reduce.
//
//   DownsampleSpec spec{{1024, 1024, 512}, {2, 2, 2}, ReduceMethod::kMode};
//   ZF_RETURN_IF_ERROR(spec.validate_for(DType::kUInt32));
//   spec.output_shape();                          // (512, 512, 256)
//   downsample_input_box(spec, output_box);       // the input voxels output_box reduces
//
// Output voxel i reduces the input block [i * f, (i + 1) * f) clipped to the input (blocks are
// anchored at 0, as TensorStore's are), so an axis of length n becomes ceil(n / f) long.
#pragma once

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/kernels/reduce_method.hpp"

namespace zoomflow {

struct DownsampleSpec {
  Shape input_shape;
  Shape factors;
  ReduceMethod method = ReduceMethod::kMean;

  int rank() const { return input_shape.rank(); }
  Shape output_shape() const;
  // Voxels in a whole block: the product of min(factor, length) over the axes.
  Index block_elements() const;

  // Ranks agree and are 1..kMaxRank, lengths are positive and in range, factors >= 1, the
  // method is known and a block holds fewer than 2^62 voxels.
  Status validate() const;
  // validate() plus what depends on the element type. Every method is defined for every dtype
  // (as in TensorStore: mean, median and mode of bool are the majority, false on ties).
  Status validate_for(DType dtype) const;
};

// ceil(n / f) per axis.
Shape downsampled_shape(const Shape& input_shape, const Shape& factors);

// The input box that `output_box` reduces: the output box times the factors, clipped to the input
// shape (empty where the output box is empty).
Box downsample_input_box(const DownsampleSpec& spec, const Box& output_box);

}  // namespace zoomflow
