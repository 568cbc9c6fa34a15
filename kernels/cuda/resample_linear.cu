// Order 1 on the GPU, byte-identical to the CPU kernel (kernels/src/resample_linear.hpp).
//
// The CPU kernel is separable: it interpolates the whole box along the last axis, then along
// axis rank-2, ..., then axis 0, each step lerp(v0, v1, w) = v0 + w (v1 - v0) in double, and
// finally saturate_cast<T>. So each output voxel is
//   lerp_0(... lerp_{r-2}(lerp_{r-1}(in[..j0..], in[..j1..], w_{r-1}), ...) ..., w_0)
// where every intermediate value is a function of the same two operands and weight whichever box
// it is computed in. This kernel evaluates that tree per output voxel, in the same order, from
// the same host-built indices and weights, with the same shared lerp and saturate_cast; built with
// --fmad=false (no contraction into fused multiply-adds) and without fast-math, every operation
// rounds as on the CPU, so the bytes are equal.
#include "kernel_common.cuh"
#include "zoomflow/kernels/saturate_cast.hpp"

namespace zoomflow::cuda::detail {
namespace {

// Up to 8 bytes of output per thread for ranks 2 and 3 (several voxels share the row set-up);
// one voxel per thread above that, where 2^rank reads already give each thread plenty to do.
template <class T, int kRank>
inline constexpr int kLinearPerThread = kRank <= 3 && sizeof(T) < 8 ? 8 / int(sizeof(T)) : 1;

template <class T, int kRank>
__global__ void __launch_bounds__(kThreadsPerBlock) linear_kernel(const KernelArgs args) {
  constexpr int kPerThread = kLinearPerThread<T, kRank>;
  constexpr int kOuter = kRank - 1;      // the axes interpolated between input rows
  constexpr int kCorners = 1 << kOuter;  // input rows one output row reads
  const T* __restrict__ input = static_cast<const T*>(args.input);
  T* __restrict__ output = static_cast<T*>(args.output);
  const std::int64_t x_extent = args.output_extent[kRank - 1];
  const std::int64_t x0 = (std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * kPerThread;
  if (x0 >= x_extent) return;  // no barriers below, so idle threads may leave

  // The last axis's taps are the same for every row this thread visits. Lanes past the end of
  // the row read element 0 (always valid) and are never stored.
  std::int32_t x_lo[kPerThread];
  std::int32_t x_hi[kPerThread];
  double x_weight[kPerThread];
#pragma unroll
  for (int e = 0; e < kPerThread; ++e) {
    const bool inside = x0 + e < x_extent;
    x_lo[e] = inside ? args.index0[kRank - 1][x0 + e] : 0;
    x_hi[e] = inside ? args.index1[kRank - 1][x0 + e] : 0;
    x_weight[e] = inside ? args.weight[kRank - 1][x0 + e] : 0.0;
  }

  const std::int64_t y_extent = kRank >= 2 ? args.output_extent[kRank - 2] : 1;
  const std::int64_t y_step = std::int64_t(gridDim.y) * blockDim.y;
  for (std::int64_t z = blockIdx.z; z < args.outer_rows; z += gridDim.z) {
    std::int64_t coordinate[kRank];
    outer_coordinates<kRank>(args, z, coordinate);
    for (std::int64_t y = std::int64_t(blockIdx.y) * blockDim.y + threadIdx.y; y < y_extent;
         y += y_step) {
      if constexpr (kRank >= 2) coordinate[kRank - 2] = y;
      // Input row offset of each corner: bit (kOuter-1-a) of the corner index picks j1 rather
      // than j0 on outer axis a, so axis rank-2 is bit 0 and is reduced first below.
      std::int64_t row[kCorners];
      double weight[kOuter > 0 ? kOuter : 1];
      row[0] = 0;
#pragma unroll
      for (int a = 0; a < kOuter; ++a) {
        const std::int64_t c = coordinate[a];
        const std::int64_t lo = std::int64_t(args.index0[a][c]) * args.input_stride[a];
        const std::int64_t hi = std::int64_t(args.index1[a][c]) * args.input_stride[a];
        weight[a] = args.weight[a][c];
#pragma unroll
        for (int k = (1 << a) - 1; k >= 0; --k) {
          row[2 * k + 1] = row[k] + hi;
          row[2 * k] = row[k] + lo;
        }
      }
      T values[kPerThread];
#pragma unroll
      for (int e = 0; e < kPerThread; ++e) {
        double v[kCorners];
        // The last axis first, as the CPU kernel's first pass...
#pragma unroll
        for (int c = 0; c < kCorners; ++c)
          v[c] =
              lerp(double(input[row[c] + x_lo[e]]), double(input[row[c] + x_hi[e]]), x_weight[e]);
          // ... then axis rank-2, ..., axis 0: lerp(value at j0, value at j1, w) each time.
#pragma unroll
        for (int a = kOuter - 1; a >= 0; --a) {
#pragma unroll
          for (int m = 0; m < (1 << a); ++m) v[m] = lerp(v[2 * m], v[2 * m + 1], weight[a]);
        }
        values[e] = saturate_cast<T>(v[0]);
      }
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
