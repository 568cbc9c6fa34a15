// What a downsampling makes of a block whose every input voxel holds one value, by the kernel's
// own rules (README.md, "Downsampling"), so the constant-block shortcut writes the bytes
// downsample_box would (internal to pipeline/).
//
//   std::optional<Scalar> c = downsample_constant(spec, Scalar::of(DType::kFloat32, 0.1f), box);
#pragma once

#include <optional>

#include "zoomflow/kernels/downsample_spec.hpp"
#include "zoomflow/kernels/scalar.hpp"

namespace zoomflow::detail {

// The value every voxel of `output_box` takes when every input voxel it reduces is `value` (in
// value.dtype, the type the reduction runs in); nullopt when its voxels may differ: a float mean
// is a rounded sum, so blocks cut by the end of an axis can give another value than whole ones.
std::optional<Scalar> downsample_constant(const DownsampleSpec& spec, const Scalar& value,
                                          const Box& output_box);

}  // namespace zoomflow::detail
