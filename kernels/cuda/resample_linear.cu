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
  switch (args.rank) {
    case 1:
      return launch_rank<T, 1>(args, stream);
    case 2:
      return launch_rank<T, 2>(args, stream);
    case 3:
      return launch_rank<T, 3>(args, stream);
    case 4:
      return launch_rank<T, 4>(args, stream);
    case 5:
      return launch_rank<T, 5>(args, stream);
    case 6:
      return launch_rank<T, 6>(args, stream);
    case 7:
      return launch_rank<T, 7>(args, stream);
    case 8:
      return launch_rank<T, 8>(args, stream);
    default:
      return cudaErrorInvalidValue;
  }
}

}  // namespace

cudaError_t launch_linear(const KernelArgs& args, cudaStream_t stream) {
  // bool never gets here (order 1 refuses it before any launch).
  switch (args.dtype) {
    case DType::kInt8:
      return launch_type<std::int8_t>(args, stream);
    case DType::kInt16:
      return launch_type<std::int16_t>(args, stream);
    case DType::kInt32:
      return launch_type<std::int32_t>(args, stream);
    case DType::kInt64:
      return launch_type<std::int64_t>(args, stream);
    case DType::kUInt8:
      return launch_type<std::uint8_t>(args, stream);
    case DType::kUInt16:
      return launch_type<std::uint16_t>(args, stream);
    case DType::kUInt32:
      return launch_type<std::uint32_t>(args, stream);
    case DType::kUInt64:
      return launch_type<std::uint64_t>(args, stream);
    case DType::kFloat32:
      return launch_type<float>(args, stream);
    case DType::kFloat64:
      return launch_type<double>(args, stream);
    case DType::kBool:
      break;
  }
  return cudaErrorInvalidValue;
}

}  // namespace zoomflow::cuda::detail
