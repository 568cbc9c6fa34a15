// Turning cudaError_t into zoomflow's Error with a message that says what was being done.
// Internal to kernels/cuda.
#pragma once

#include <string>
#include <string_view>

#include <cuda_runtime_api.h>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::cuda::detail {

// "<what>: cudaErrorMemoryAllocation (out of memory)". Out of memory maps to kOutOfMemory, a
// missing driver or device to kUnavailable, anything else (a launch or execution failure) to
// kInternal.
Error cuda_error(cudaError_t code, std::string_view what);

// ok_status() for cudaSuccess, else cuda_error(code, what).
inline Status check_cuda(cudaError_t code, std::string_view what) {
  if (code == cudaSuccess) return ok_status();
  return cuda_error(code, what);
}

}  // namespace zoomflow::cuda::detail
