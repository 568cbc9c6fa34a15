// What one kernel launch needs, as plain data shared by the host code (g++) and the kernels
// (nvcc). Internal to kernels/cuda.
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "zoomflow/kernels/coordinate_map.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/kernels/resample_tables.hpp"

namespace zoomflow::cuda::detail {

// Passed by value as the kernel parameter (a few hundred bytes, well under the 4 KiB limit).
struct KernelArgs {
  int rank = 0;
  Interpolation interpolation = Interpolation::kNearest;
  DType dtype = DType::kUInt8;
  std::int64_t output_extent[kMaxRank] = {};
  std::int64_t input_stride[kMaxRank] = {};  // elements; the input box is contiguous
  std::int64_t outer_rows = 1;               // product of output_extent[0 .. rank-3]
  const std::int32_t* index0[kMaxRank] = {};
  const std::int32_t* index1[kMaxRank] = {};
  const double* weight[kMaxRank] = {};
  const void* input = nullptr;  // device
  void* output = nullptr;       // device, contiguous output box
};

// The arguments for resampling into a contiguous output box of `output_extent` from a contiguous
// input box of `input_extent`, with the tables (laid out as `layout`) at `device_tables`.
KernelArgs make_kernel_args(DType dtype, const ResampleTableLayout& layout,
                            const Shape& input_extent, const Shape& output_extent,
                            const std::byte* device_tables, const void* device_input,
                            void* device_output);

// Queues the kernel on `stream`; returns the launch's error (cudaSuccess when queued). Nothing is
// launched for an empty box.
cudaError_t launch_resample(const KernelArgs& args, cudaStream_t stream);

// The two kernels behind launch_resample (resample_nearest.cu, resample_linear.cu).
cudaError_t launch_nearest(const KernelArgs& args, cudaStream_t stream);
cudaError_t launch_linear(const KernelArgs& args, cudaStream_t stream);

// cudaSuccess when the current device can run this build's kernels (there is machine code or PTX
// for it); cudaErrorNoKernelImageForDevice or similar otherwise.
cudaError_t probe_kernel_image();

}  // namespace zoomflow::cuda::detail
