#include "zoomflow/pipeline/backend.hpp"

namespace zoomflow {

std::string_view backend_name(Backend backend) {
  switch (backend) {
    case Backend::kAuto:
      return "auto";
    case Backend::kCpu:
      return "cpu";
    case Backend::kCuda:
      return "cuda";
  }
  return "unknown";
}

Result<BackendChoice> choose_backend(Backend requested) {
  BackendChoice choice;
  if (requested == Backend::kCpu) return choice;
  choice.device = cuda::query_device();
  if (choice.device.usable) {
    choice.backend = Backend::kCuda;
    return choice;
  }
  if (requested == Backend::kCuda)
    return make_error(ErrorCode::kUnavailable, "--backend cuda: no usable CUDA device (" +
                                                   choice.device.reason +
                                                   "); use --backend cpu or --backend auto");
  choice.note = "no usable CUDA device (" + choice.device.reason + "); resampling on the CPU";
  return choice;
}

}  // namespace zoomflow
