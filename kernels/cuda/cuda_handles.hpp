// RAII owners of CUDA resources: streams, events and device memory. Each is created by a
// function returning Result, destroyed by its destructor, moved but never copied. Internal to
// kernels/cuda.
#pragma once

#include <cstddef>
#include <utility>

#include <cuda_runtime_api.h>

#include "cuda_error.hpp"

namespace zoomflow::cuda::detail {

// Owns one handle; `Destroy` releases it. Destruction errors cannot be reported and are
// dropped: by then the resource is gone either way.
template <class Handle, auto Destroy>
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(Handle handle) : handle_(handle) {}
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, Handle{})) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, Handle{});
    }
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  Handle get() const { return handle_; }
  explicit operator bool() const { return handle_ != Handle{}; }
  void reset() {
    if (handle_ != Handle{}) (void)Destroy(handle_);
    handle_ = Handle{};
  }

 private:
  Handle handle_{};
};

using Stream = UniqueHandle<cudaStream_t, cudaStreamDestroy>;
using Event = UniqueHandle<cudaEvent_t, cudaEventDestroy>;

// Device memory: a pointer and its size.
class DeviceMemory {
 public:
  DeviceMemory() = default;
  std::byte* data() const { return static_cast<std::byte*>(memory_.get()); }
  std::size_t size() const { return size_; }

  static Result<DeviceMemory> allocate(std::size_t bytes, const char* what);

 private:
  UniqueHandle<void*, cudaFree> memory_;
  std::size_t size_ = 0;
};

// A stream that does not synchronise with the legacy default stream, so the streams of
// different slots run concurrently.
Result<Stream> create_stream();
// With timing off unless asked: untimed events are cheaper to record and wait on.
Result<Event> create_event(bool timing);

}  // namespace zoomflow::cuda::detail
