// Block buffers reused from block to block: fresh pages cost a page fault each (first touch ran
// at 0.35-3 GB/s on a 2-core VM against ~30 GB/s for warm memory).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace zoomflow {

// Frees a buffer the way it was allocated: delete[] by default, or `release` (e.g. the CUDA
// backend's page-locked memory).
struct BufferDeleter {
  void (*release)(std::byte*) noexcept = nullptr;
  void operator()(std::byte* bytes) const noexcept {
    if (release != nullptr)
      release(bytes);
    else
      delete[] bytes;
  }
};

struct PooledBuffer {
  std::unique_ptr<std::byte[], BufferDeleter> bytes;
  std::size_t capacity = 0;
};

// Where a pool's fresh buffers come from (at least `size` bytes); ordinary heap memory when none
// is given.
using BufferAllocator = std::function<PooledBuffer(std::size_t size)>;

class BufferPool {
 public:
  BufferPool() = default;
  explicit BufferPool(BufferAllocator allocate) : allocate_(std::move(allocate)) {}

  // A buffer of at least `size` bytes, reused when one is free. Thread-safe.
  PooledBuffer acquire(std::size_t size);
  // Gives a buffer back for reuse. Thread-safe.
  void release(PooledBuffer buffer);

 private:
  BufferAllocator allocate_;
  std::mutex mutex_;
  std::vector<PooledBuffer> free_;
};

}  // namespace zoomflow
