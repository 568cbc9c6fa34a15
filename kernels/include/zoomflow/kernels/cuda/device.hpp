// Is there a GPU the CUDA backend can use? Declared in every build; a build without nvcc answers
// "no" with the reason, so callers need no #if.
#pragma once

#include <cstdint>
#include <string>

namespace zoomflow::cuda {

// True when this build carries the CUDA backend (nvcc was found when it was configured).
bool compiled_in();

struct DeviceInfo {
  bool usable = false;
  std::string reason;  // why not, when !usable
  int device = 0;      // the CUDA device index used: the first visible one
  int device_count = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  int copy_engines = 0;  // 2 or more: uploads and downloads can overlap
  std::uint64_t total_bytes = 0;
  std::uint64_t free_bytes = 0;
};

// Never fails: any CUDA error (no driver, cudaErrorInsufficientDriver, no device, a device this
// build has no kernel image for) makes the answer "not usable", with the reason. The first call
// creates the CUDA context of the device.
DeviceInfo query_device();

// One line: "NVIDIA H100 80GB HBM3 (sm_90, 79.1 of 79.6 GiB free)" or "no usable GPU: ...".
std::string describe(const DeviceInfo& info);

}  // namespace zoomflow::cuda
