// The resampling backends, and the choice between them, made once before a run starts.
#pragma once

#include <string>
#include <string_view>

#include "zoomflow/kernels/cuda/device.hpp"
#include "zoomflow/kernels/error.hpp"

namespace zoomflow {

enum class Backend { kAuto, kCpu, kCuda };

// "auto", "cpu", "cuda"
std::string_view backend_name(Backend backend);

struct BackendChoice {
  Backend backend = Backend::kCpu;  // kCpu or kCuda, never kAuto
  std::string note;                 // why kAuto chose the CPU; empty otherwise
  cuda::DeviceInfo device;          // what the device query found (unless kCpu was asked for)
};

// kCpu: the CPU, without touching CUDA. kCuda: the GPU when one is usable, else a kUnavailable
// error that says why. kAuto: the GPU when one is usable, else the CPU with a note saying why.
Result<BackendChoice> choose_backend(Backend requested);

}  // namespace zoomflow
