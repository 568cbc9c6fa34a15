// Block buffers reused from block to block: fresh pages cost a page fault each (first touch ran
// at 0.35-3 GB/s on a 2-core VM against ~30 GB/s for warm memory).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace zoomflow {

struct PooledBuffer {
  std::unique_ptr<std::byte[]> bytes;
  std::size_t capacity = 0;
};

class BufferPool {
 public:
  // A buffer of at least `size` bytes, reused when one is free. Thread-safe.
  PooledBuffer acquire(std::size_t size);
  // Gives a buffer back for reuse. Thread-safe.
  void release(PooledBuffer buffer);

 private:
  std::mutex mutex_;
  std::vector<PooledBuffer> free_;
};

}  // namespace zoomflow
