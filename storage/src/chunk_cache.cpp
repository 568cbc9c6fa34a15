#include "chunk_cache.hpp"

namespace zoomflow::storage {

DecodedChunk ChunkCache::find(Index key) {
  const std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ChunkCache::insert(Index key, DecodedChunk chunk) {
  const std::uint64_t size = chunk ? chunk->size() : 0;
  if (!chunk || size > capacity_) return;
  const std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->second->size();
    order_.erase(it->second);
    index_.erase(it);
  }
  while (!order_.empty() && bytes_ + size > capacity_) {
    bytes_ -= order_.back().second->size();
    index_.erase(order_.back().first);
    order_.pop_back();
  }
  order_.emplace_front(key, std::move(chunk));
  index_[key] = order_.begin();
  bytes_ += size;
}

std::uint64_t ChunkCache::size_bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace zoomflow::storage
