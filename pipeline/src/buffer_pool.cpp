#include "zoomflow/pipeline/buffer_pool.hpp"

#include <algorithm>

namespace zoomflow {

PooledBuffer BufferPool::acquire(std::size_t size) {
  {
    std::lock_guard lock(mutex_);
    // The smallest free buffer that fits.
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->capacity >= size && (best == free_.end() || it->capacity < best->capacity)) best = it;
    if (best != free_.end()) {
      PooledBuffer buffer = std::move(*best);
      free_.erase(best);
      return buffer;
    }
  }
  if (allocate_) return allocate_(size);
  PooledBuffer buffer;
  buffer.bytes.reset(
      std::make_unique_for_overwrite<std::byte[]>(std::max<std::size_t>(size, 1)).release());
  buffer.capacity = size;
  return buffer;
}

void BufferPool::release(PooledBuffer buffer) {
  if (!buffer.bytes) return;
  std::lock_guard lock(mutex_);
  free_.push_back(std::move(buffer));
}

}  // namespace zoomflow
