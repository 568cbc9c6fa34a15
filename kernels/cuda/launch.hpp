// Launching the resampling kernels on a stream. Internal to kernels/cuda.
#pragma once

#include <cuda_runtime_api.h>

#include "zoomflow/kernels/cuda/kernel_rows.hpp"

namespace zoomflow::cuda::detail {

// Queues the kernel for `args` on `stream`; returns the launch's error (cudaSuccess when
// queued). Nothing is launched for an empty box.
cudaError_t launch_resample(const KernelArgs& args, cudaStream_t stream);

// The two kernels behind it (resample_nearest.cu, resample_linear.cu).
cudaError_t launch_nearest(const KernelArgs& args, cudaStream_t stream);
cudaError_t launch_linear(const KernelArgs& args, cudaStream_t stream);

// cudaSuccess when the current device can run this build's kernels (there is machine code or PTX
// for it); cudaErrorNoKernelImageForDevice or similar otherwise.
cudaError_t probe_kernel_image();

}  // namespace zoomflow::cuda::detail
