// Order 0 on the GPU: every output voxel is a copy of the input voxel the integer AxisMap::nearest
// tables name, so the kernel moves bits and depends only on the element size.
#include "kernel_common.cuh"

namespace zoomflow::cuda::detail {
namespace {

// Element stand-ins by size: a copy of the bits is exact for every dtype (NaN payloads included).
template <int kSize>
struct Bits;
template <>
struct Bits<1> {
  using type = std::uint8_t;
};
template <>
struct Bits<2> {
  using type = std::uint16_t;
};
template <>
struct Bits<4> {
  using type = std::uint32_t;
};
template <>
struct Bits<8> {
  using type = std::uint64_t;
};

// One thread: a run of kNearestPerThread outputs of a row, for each row of its grid stride.
template <class T, int kRank>
__global__ void __launch_bounds__(kThreadsPerBlock) nearest_kernel(const KernelArgs args) {
  constexpr int kPerThread = kNearestPerThread<T>;
  const std::int64_t x_extent = args.output_extent[kRank - 1];
  const std::int64_t x0 = (std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * kPerThread;
  if (x0 >= x_extent) return;  // no barriers below, so idle threads may leave
  const NearestTaps<kPerThread> taps = nearest_taps<kRank, kPerThread>(args, x0);
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
      nearest_row<T, kRank, kPerThread>(args, taps, coordinate, values);
      store_run<T, kPerThread>(output + (z * y_extent + y) * x_extent, x0, x_extent, values);
    }
  }
}

template <class T, int kRank>
cudaError_t launch_rank(const KernelArgs& args, cudaStream_t stream) {
  const LaunchShape shape = launch_shape(args, kNearestPerThread<T>);
  nearest_kernel<T, kRank><<<shape.grid, shape.block, 0, stream>>>(args);
  return cudaGetLastError();
}

template <class T>
cudaError_t launch_type(const KernelArgs& args, cudaStream_t stream) {
  return dispatch_rank(
      args.rank, [&](auto rank) { return launch_rank<T, decltype(rank)::value>(args, stream); });
}

}  // namespace

cudaError_t launch_nearest(const KernelArgs& args, cudaStream_t stream) {
  switch (dtype_size(args.dtype)) {
    case 1:
      return launch_type<Bits<1>::type>(args, stream);
    case 2:
      return launch_type<Bits<2>::type>(args, stream);
    case 4:
      return launch_type<Bits<4>::type>(args, stream);
    case 8:
      return launch_type<Bits<8>::type>(args, stream);
    default:
      return cudaErrorInvalidValue;
  }
}

cudaError_t probe_kernel_image() {
  cudaFuncAttributes attributes{};
  return cudaFuncGetAttributes(&attributes, nearest_kernel<std::uint8_t, 3>);
}

}  // namespace zoomflow::cuda::detail
