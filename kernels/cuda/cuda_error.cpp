#include "cuda_error.hpp"

namespace zoomflow::cuda::detail {

Error cuda_error(cudaError_t code, std::string_view what) {
  ErrorCode kind = ErrorCode::kInternal;
  switch (code) {
    case cudaErrorMemoryAllocation:
      kind = ErrorCode::kOutOfMemory;
      break;
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
    case cudaErrorInvalidDevice:
    case cudaErrorDevicesUnavailable:
    case cudaErrorNoKernelImageForDevice:
    case cudaErrorSystemDriverMismatch:
    case cudaErrorCompatNotSupportedOnDevice:
    case cudaErrorInitializationError:
      kind = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  // Both functions are pure look-ups; they work without a driver.
  std::string message(what);
  message += ": ";
  message += cudaGetErrorName(code);
  message += " (";
  message += cudaGetErrorString(code);
  message += ")";
  return make_error(kind, std::move(message));
}

}  // namespace zoomflow::cuda::detail
