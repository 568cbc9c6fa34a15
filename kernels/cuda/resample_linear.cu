// Order 1 on the GPU, byte-identical to the CPU kernel: each thread evaluates linear_row
// (kernel_rows.hpp, where the argument for identical bytes is made) for a run of outputs.
#include "kernel_common.cuh"

namespace zoomflow::cuda::detail {
namespace {

// One thread: a run of kLinearPerThread outputs of a row, for each row of its grid stride.
template <class T, int kRank>
__global__ void __launch_bounds__(kThreadsPerBlock) linear_kernel(const KernelArgs args) {
  constexpr int kPerThread = kLinearPerThread<T, kRank>;
  const std::int64_t x_extent = args.output_extent[kRank - 1];
  const std::int64_t x0 = (std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * kPerThread;
  if (x0 >= x_extent) return;  // no barriers below, so idle threads may leave
  const LinearTaps<kPerThread> taps = linear_taps<kRank, kPerThread>(args, x0);
  T* output = static_cast<T*>(args.output);
  const std::int64_t y_extent = kRank >= 2 ? args.output_extent[kRank - 2] : 1;
  const std::int64_t y_step = std::int64_t(gridDim.y) * blockDim.y;
  for (std::int64_t z = blockIdx.z; z < args.outer_rows; z += gridDim.z) {
    std::int64_t coordinate[kRank];
    outer_coordinates<kRank>(args, z, coordinate);
    for (std::int64_t y = std::int64_t(blockIdx.y) * blockDim.y + threadIdx.y; y < y_extent;
         y += y_step) {
      if constexpr (kRank >= 2) coordinate[kRank - 2] = y;
      T values[kPerThread];
      linear_row<T, kRank, kPerThread>(args, taps, coordinate, values);
      store_run<T, kPerThread>(output + (z * y_extent + y) * x_extent, x0, x_extent, values);
    }
  }
}

template <class T, int kRank>
cudaError_t launch_rank(const KernelArgs& args, cudaStream_t stream) {
  const LaunchShape shape = launch_shape(args, kLinearPerThread<T, kRank>);
  linear_kernel<T, kRank><<<shape.grid, shape.block, 0, stream>>>(args);
  return cudaGetLastError();
}

template <class T>
cudaError_t launch_type(const KernelArgs& args, cudaStream_t stream) {
  return dispatch_rank(
      args.rank, [&](auto rank) { return launch_rank<T, decltype(rank)::value>(args, stream); });
}

}  // namespace

cudaError_t launch_linear(const KernelArgs& args, cudaStream_t stream) {
  // bool never gets here (order 1 refuses it before any launch).
  if (args.dtype == DType::kBool) return cudaErrorInvalidValue;
  return visit_dtype(args.dtype, [&](auto tag) {
    return launch_type<typename decltype(tag)::type>(args, stream);
  });
}

}  // namespace zoomflow::cuda::detail
