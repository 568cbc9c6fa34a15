// Device-side timings for the benchmark: the kernel alone on device-resident data, against copies
// of the same bytes, all timed with CUDA events on one stream in the same run.
#pragma once

#include <cstdint>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow::cuda {

struct KernelTiming {
  std::uint64_t input_bytes = 0;
  std::uint64_t output_bytes = 0;
  double kernel_seconds = 0;    // one kernel over the whole output, data already on the device
  double d2d_copy_seconds = 0;  // cudaMemcpy device to device of output_bytes
  double h2d_seconds = 0;       // input_bytes from page-locked host memory
  double d2h_seconds = 0;       // output_bytes into page-locked host memory
};

// Uploads `input` (contiguous, spec.input_shape), then takes the best of `repeats` of each
// measurement. When `output` is given (contiguous, spec.output_shape) the kernel's result is
// downloaded into it, so callers can check it against the CPU.
Result<KernelTiming> time_kernel(const ResampleSpec& spec, ConstArrayView input, int repeats,
                                 ArrayView* output = nullptr);

}  // namespace zoomflow::cuda
