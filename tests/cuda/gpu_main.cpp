// The GPU tests' own main: without a usable CUDA device it says why and exits with 77, which
// CTest (SKIP_RETURN_CODE 77) reports as "Skipped", never as "Passed".
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "zoomflow/kernels/cuda/device.hpp"

int main(int argc, char** argv) {
  const zoomflow::cuda::DeviceInfo device = zoomflow::cuda::query_device();
  if (!device.usable) {
    std::printf("SKIPPED: no usable CUDA device (%s)\n", device.reason.c_str());
    return 77;
  }
  std::printf("GPU tests on %s\n", zoomflow::cuda::describe(device).c_str());
  doctest::Context context(argc, argv);
  const int result = context.run();
  // 77 is reserved for "skipped"; doctest returns 0 or 1, but never let a failure read as a skip.
  return result == 77 ? 1 : result;
}
