#include "launch.hpp"

namespace zoomflow::cuda::detail {

KernelArgs make_kernel_args(DType dtype, const ResampleTableLayout& layout,
                            const Shape& input_extent, const Shape& output_extent,
                            const std::byte* device_tables, const void* device_input,
                            void* device_output) {
  KernelArgs args;
  args.rank = layout.rank;
  args.interpolation = layout.interpolation;
  args.dtype = dtype;
  const IndexVector strides = contiguous_strides(input_extent);
  const bool linear = layout.interpolation == Interpolation::kLinear;
  for (int a = 0; a < layout.rank; ++a) {
    const auto axis = std::size_t(a);
    args.output_extent[a] = output_extent[a];
    args.input_stride[a] = strides[a];
    // The tables sit in one device allocation; these are pointers into it.
    args.index0[a] =
        reinterpret_cast<const std::int32_t*>(device_tables + layout.index0_offset[axis]);
    if (linear) {
      args.index1[a] =
          reinterpret_cast<const std::int32_t*>(device_tables + layout.index1_offset[axis]);
      args.weight[a] = reinterpret_cast<const double*>(device_tables + layout.weight_offset[axis]);
    }
  }
  for (int a = 0; a + 2 < layout.rank; ++a) args.outer_rows *= output_extent[a];
  args.input = device_input;
  args.output = device_output;
  return args;
}

cudaError_t launch_resample(const KernelArgs& args, cudaStream_t stream) {
  if (args.rank < 1 || args.rank > kMaxRank) return cudaErrorInvalidValue;
  for (int a = 0; a < args.rank; ++a)
    if (args.output_extent[a] == 0) return cudaSuccess;  // an empty box: nothing to compute
  return args.interpolation == Interpolation::kLinear ? launch_linear(args, stream)
                                                      : launch_nearest(args, stream);
}

}  // namespace zoomflow::cuda::detail
