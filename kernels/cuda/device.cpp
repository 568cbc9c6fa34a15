#include "zoomflow/kernels/cuda/device.hpp"

#include <cstdio>
#include <string>

#include <cuda_runtime_api.h>

#include "cuda_error.hpp"
#include "launch.hpp"

namespace zoomflow::cuda {
namespace {

DeviceInfo unusable(DeviceInfo info, std::string reason) {
  info.usable = false;
  info.reason = std::move(reason);
  return info;
}

}  // namespace

bool compiled_in() {
  return true;
}

DeviceInfo query_device() {
  DeviceInfo info;
  int count = 0;
  // Without a driver this is an error (cudaErrorInsufficientDriver), not a count of 0: any
  // error here means "no usable GPU".
  const cudaError_t count_error = cudaGetDeviceCount(&count);
  if (count_error != cudaSuccess) {
    (void)cudaGetLastError();
    return unusable(info, detail::cuda_error(count_error, "cudaGetDeviceCount").message);
  }
  info.device_count = count;
  if (count <= 0) return unusable(info, "cudaGetDeviceCount found no CUDA device");
  info.device = 0;
  cudaDeviceProp properties{};
  if (const cudaError_t e = cudaGetDeviceProperties(&properties, info.device); e != cudaSuccess) {
    (void)cudaGetLastError();
    return unusable(info, detail::cuda_error(e, "cudaGetDeviceProperties").message);
  }
  info.name = properties.name;
  info.compute_major = properties.major;
  info.compute_minor = properties.minor;
  info.copy_engines = properties.asyncEngineCount;
  info.total_bytes = properties.totalGlobalMem;
  // Setting the device and asking for free memory creates its context: proof that it works.
  if (const cudaError_t e = cudaSetDevice(info.device); e != cudaSuccess) {
    (void)cudaGetLastError();
    return unusable(info, detail::cuda_error(e, "cudaSetDevice(0)").message);
  }
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  if (const cudaError_t e = cudaMemGetInfo(&free_bytes, &total_bytes); e != cudaSuccess) {
    (void)cudaGetLastError();
    return unusable(info,
                    detail::cuda_error(e, "creating a CUDA context (cudaMemGetInfo)").message);
  }
  info.free_bytes = free_bytes;
  info.total_bytes = total_bytes;
  // A GPU older than every architecture this build carries code for cannot run its kernels.
  if (const cudaError_t e = detail::probe_kernel_image(); e != cudaSuccess) {
    (void)cudaGetLastError();
    return unusable(info, detail::cuda_error(e, "this build has no kernel for " + info.name +
                                                    " (sm_" + std::to_string(info.compute_major) +
                                                    std::to_string(info.compute_minor) + ")")
                              .message);
  }
  info.usable = true;
  return info;
}

std::string describe(const DeviceInfo& info) {
  if (!info.usable) return "no usable GPU: " + info.reason;
  char text[256];
  std::snprintf(text, sizeof(text), "%s (sm_%d%d, %.1f of %.1f GiB free)", info.name.c_str(),
                info.compute_major, info.compute_minor, double(info.free_bytes) / double(1 << 30),
                double(info.total_bytes) / double(1 << 30));
  return text;
}

}  // namespace zoomflow::cuda
