// Page-locked ("pinned") host memory: what the GPU copies to and from by DMA, so that transfers
// run asynchronously and at full PCIe speed.
#pragma once

#include <cstddef>
#include <span>

#include "zoomflow/kernels/error.hpp"

namespace zoomflow::cuda {

// `bytes` of page-locked memory (cudaHostAlloc); free it with free_pinned. For owners that hold
// memory in their own RAII type (a pool's buffers); everyone else uses PinnedBuffer.
Result<std::byte*> allocate_pinned(std::size_t bytes);
// Frees what allocate_pinned gave; null is ignored. Errors cannot be reported from here and are
// dropped (the memory is then leaked, never reused).
void free_pinned(std::byte* data) noexcept;

// An owned block of page-locked memory.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  static Result<PinnedBuffer> allocate(std::size_t bytes);

  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer();

  std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::span<std::byte> bytes() const { return {data_, size_}; }

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace zoomflow::cuda
