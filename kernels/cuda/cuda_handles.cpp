#include "cuda_handles.hpp"

#include <string>

namespace zoomflow::cuda::detail {

Result<DeviceMemory> DeviceMemory::allocate(std::size_t bytes, const char* what) {
  DeviceMemory memory;
  if (bytes == 0) return memory;
  void* data = nullptr;
  const cudaError_t code = cudaMalloc(&data, bytes);
  if (code != cudaSuccess) {
    // A failed allocation leaves no sticky error; clear it so later calls are not blamed.
    (void)cudaGetLastError();
    return cuda_error(
        code, "allocating " + std::to_string(bytes) + " bytes of device memory for " + what);
  }
  memory.memory_ = UniqueHandle<void*, cudaFree>(data);
  memory.size_ = bytes;
  return memory;
}

Result<Stream> create_stream() {
  cudaStream_t stream = nullptr;
  ZF_RETURN_IF_ERROR(check_cuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking),
                                "creating a CUDA stream"));
  return Stream(stream);
}

Result<Event> create_event(bool timing) {
  cudaEvent_t event = nullptr;
  ZF_RETURN_IF_ERROR(check_cuda(
      cudaEventCreateWithFlags(&event, timing ? cudaEventDefault : cudaEventDisableTiming),
      "creating a CUDA event"));
  return Event(event);
}

}  // namespace zoomflow::cuda::detail
