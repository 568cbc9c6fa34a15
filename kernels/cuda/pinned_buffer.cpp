#include "zoomflow/kernels/cuda/pinned_buffer.hpp"

#include <string>
#include <utility>

#include <cuda_runtime_api.h>

#include "cuda_error.hpp"

namespace zoomflow::cuda {

Result<std::byte*> allocate_pinned(std::size_t bytes) {
  void* data = nullptr;
  const cudaError_t code = cudaHostAlloc(&data, bytes == 0 ? 1 : bytes, cudaHostAllocDefault);
  if (code != cudaSuccess) {
    (void)cudaGetLastError();  // not sticky; do not leave it for the next caller to find
    return detail::cuda_error(
        code, "allocating " + std::to_string(bytes) + " bytes of page-locked memory");
  }
  return static_cast<std::byte*>(data);
}

void free_pinned(std::byte* data) noexcept {
  if (data != nullptr) (void)cudaFreeHost(data);
}

Result<PinnedBuffer> PinnedBuffer::allocate(std::size_t bytes) {
  ZF_ASSIGN_OR_RETURN(std::byte * data, allocate_pinned(bytes));
  PinnedBuffer buffer;
  buffer.data_ = data;
  buffer.size_ = bytes;
  return buffer;
}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    free_pinned(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

PinnedBuffer::~PinnedBuffer() {
  free_pinned(data_);
}

}  // namespace zoomflow::cuda
