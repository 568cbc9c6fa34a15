#include "chunk_cache.hpp"

#include <vector>

namespace zoomflow::storage {

void ChunkCache::Live::add(std::uint64_t n) {
  const std::lock_guard lock(mutex);
  bytes += n;
}

void ChunkCache::Live::release(std::uint64_t n) {
  {
    const std::lock_guard lock(mutex);
    bytes -= n;
  }
  changed.notify_all();
}

void ChunkCache::Live::keep(std::uint64_t added, std::uint64_t dropped) {
  {
    const std::lock_guard lock(mutex);
    kept = kept + added - dropped;
  }
  changed.notify_all();
}

ChunkCache::ChunkCache(std::uint64_t capacity_bytes)
    : capacity_(capacity_bytes), live_(std::make_shared<Live>()) {}

Result<DecodedChunk> ChunkCache::find_or_load(Index key, std::uint64_t bytes,
                                              const std::function<Result<LoadedChunk>()>& load) {
  std::shared_ptr<Loading> loading;
  {
    std::unique_lock lock(mutex_);
    if (DecodedChunk hit = find_locked(key)) return hit;
    if (const auto it = loading_.find(key); it != loading_.end()) {
      const std::shared_ptr<Loading> other = it->second;
      loaded_.wait(lock, [&] { return other->result.has_value(); });
      return *other->result;
    }
    loading = std::make_shared<Loading>();
    loading_.emplace(key, loading);
  }
  const auto finish = [&](const Result<DecodedChunk>& result) {
    {
      const std::lock_guard lock(mutex_);
      if (result.ok() && *result) keep_locked(key, *result);
      loading_.erase(key);
      loading->result = result;
    }
    loaded_.notify_all();
  };
  const std::uint64_t reserved = capacity_ > 0 ? cost(bytes) : 0;
  try {
    reserve(reserved);
    Result<LoadedChunk> loaded = load();
    Result<DecodedChunk> result = loaded.ok()
                                      ? Result<DecodedChunk>(adopt(std::move(*loaded), reserved))
                                      : Result<DecodedChunk>(loaded.error());
    if (!loaded.ok() || !*result) live_->release(reserved);
    if (loaded.ok() && *result) loads_.fetch_add(1, std::memory_order_relaxed);
    finish(result);
    return result;
  } catch (...) {
    // Waiters must not wait forever for a load that threw (std::bad_alloc): they get an error.
    live_->release(reserved);
    finish(make_error(ErrorCode::kOutOfMemory, "out of memory while decoding a chunk"));
    throw;
  }
}

// Waits until `bytes` more fit beside the chunks alive, evicting kept chunks first. With nothing
// alive a chunk is let through whatever its size, so that every load makes progress.
void ChunkCache::reserve(std::uint64_t bytes) {
  if (bytes == 0) return;
  for (;;) {
    {
      const std::lock_guard lock(live_->mutex);
      if (live_->bytes == 0 || live_->bytes + bytes <= capacity_) {
        live_->bytes += bytes;
        return;
      }
    }
    if (evict_one()) continue;
    // Everything alive is held by readers or being decoded: wait for one to be let go.
    std::unique_lock lock(live_->mutex);
    live_->changed.wait(lock, [&] {
      return live_->bytes == 0 || live_->bytes + bytes <= capacity_ || live_->kept > 0;
    });
  }
}

DecodedChunk ChunkCache::adopt(LoadedChunk chunk, std::uint64_t reserved) {
  if (!chunk) return nullptr;
  std::uint64_t counted = reserved;
  if (capacity_ > 0 && cost(chunk->size()) != reserved) {
    // The loader made another size than announced: count what it made.
    live_->add(cost(chunk->size()));
    live_->release(reserved);
    counted = cost(chunk->size());
  }
  std::shared_ptr<Live> live = live_;
  return DecodedChunk(chunk.release(), [live, counted](const ChunkBytes* bytes) {
    delete bytes;
    if (counted > 0) live->release(counted);
  });
}

DecodedChunk ChunkCache::find(Index key) {
  const std::lock_guard lock(mutex_);
  return find_locked(key);
}

DecodedChunk ChunkCache::insert(Index key, LoadedChunk chunk) {
  const std::uint64_t reserved = chunk && capacity_ > 0 ? cost(chunk->size()) : 0;
  live_->add(reserved);
  DecodedChunk decoded = adopt(std::move(chunk), reserved);
  if (decoded) {
    const std::lock_guard lock(mutex_);
    keep_locked(key, decoded);
  }
  return decoded;
}

DecodedChunk ChunkCache::find_locked(Index key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ChunkCache::keep_locked(Index key, const DecodedChunk& chunk) {
  const std::uint64_t size = cost(chunk->size());
  if (capacity_ == 0 || chunk->size() > capacity_) return;
  std::uint64_t kept = 0;
  {
    const std::lock_guard lock(live_->mutex);
    kept = live_->kept;
  }
  std::uint64_t dropped = 0;
  const auto drop = [&](std::list<Entry>::iterator it) {
    dropped += cost(it->second->size());
    index_.erase(it->first);
    order_.erase(it);
  };
  if (const auto it = index_.find(key); it != index_.end()) drop(it->second);
  while (!order_.empty() && kept - dropped + size > capacity_) drop(std::prev(order_.end()));
  order_.emplace_front(key, chunk);
  index_[key] = order_.begin();
  live_->keep(size, dropped);
}

bool ChunkCache::evict_one() {
  DecodedChunk evicted;  // released after the lock
  const std::lock_guard lock(mutex_);
  if (order_.empty()) return false;
  evicted = std::move(order_.back().second);
  index_.erase(order_.back().first);
  order_.pop_back();
  live_->keep(0, cost(evicted->size()));
  return true;
}

std::uint64_t ChunkCache::size_bytes() const {
  const std::lock_guard lock(live_->mutex);
  return live_->kept;
}

std::uint64_t ChunkCache::live_bytes() const {
  const std::lock_guard lock(live_->mutex);
  return live_->bytes;
}

}  // namespace zoomflow::storage
