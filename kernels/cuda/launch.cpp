#include "launch.hpp"

namespace zoomflow::cuda::detail {

cudaError_t launch_resample(const KernelArgs& args, cudaStream_t stream) {
  if (args.rank < 1 || args.rank > kMaxRank) return cudaErrorInvalidValue;
  for (int a = 0; a < args.rank; ++a)
    if (args.output_extent[a] == 0) return cudaSuccess;  // an empty box: nothing to compute
  return args.interpolation == Interpolation::kLinear ? launch_linear(args, stream)
                                                      : launch_nearest(args, stream);
}

}  // namespace zoomflow::cuda::detail
