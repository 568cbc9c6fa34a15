#include "chunk_cache.hpp"

#include <array>
#include <vector>

namespace zoomflow::storage {
namespace {

// At most this many spare buffers per cache: enough for the loads in flight on every thread.
constexpr std::size_t kMaxSpares = 16;

// The buffers set aside for the loads running on this thread, the innermost last (a shard's
// index loads inside its chunk's load); null where a load has none.
thread_local std::vector<LoadedChunk> set_aside;

}  // namespace

ChunkCache::Live::Live(std::uint64_t capacity_bytes) : capacity(capacity_bytes) {
  spares.reserve(kMaxSpares);  // so that a deleter's push_back never allocates
}

void ChunkCache::Live::add(std::uint64_t n) {
  std::array<LoadedChunk, kMaxSpares> dropped;  // freed after the lock; nothing allocated
  const std::lock_guard lock(mutex);
  bytes += n;
  for (std::size_t k = 0; bytes > capacity && !spares.empty(); ++k)
    dropped[k] = drop_spare_locked();
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

void ChunkCache::Live::let_go(ChunkBytes* chunk, std::uint64_t counted) {
  LoadedChunk owned(chunk);  // freed after the lock unless it becomes a spare
  {
    const std::lock_guard lock(mutex);
    if (counted > 0 && owned->size() > 0 && !closed && bytes <= capacity &&
        spares.size() < kMaxSpares)
      spares.push_back(std::move(owned));
    else
      bytes -= counted;
  }
  changed.notify_all();
}

LoadedChunk ChunkCache::Live::take_spare_locked(std::size_t size) {
  for (auto it = spares.begin(); it != spares.end(); ++it) {
    if ((*it)->size() != size) continue;
    LoadedChunk spare = std::move(*it);
    spares.erase(it);
    return spare;
  }
  return nullptr;
}

LoadedChunk ChunkCache::Live::drop_spare_locked() {
  if (spares.empty()) return nullptr;
  LoadedChunk spare = std::move(spares.back());
  spares.pop_back();
  bytes -= cost(spare->size());
  return spare;
}

ChunkCache::ChunkCache(std::uint64_t capacity_bytes)
    : live_(std::make_shared<Live>(capacity_bytes)) {}

ChunkCache::~ChunkCache() {
  std::vector<LoadedChunk> spares;  // freed after the lock
  const std::lock_guard lock(live_->mutex);
  live_->closed = true;
  spares.swap(live_->spares);
}

LoadedChunk ChunkCache::make_chunk(std::size_t size) {
  if (!set_aside.empty() && set_aside.back()) {
    LoadedChunk spare = std::move(set_aside.back());
    if (spare->size() == size) return spare;
  }  // a spare of another size is freed before the new buffer is made
  return std::make_unique<ChunkBytes>(size);
}

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
  const std::uint64_t reserved = live_->capacity > 0 ? cost(bytes) : 0;
  const std::size_t depth = set_aside.size();
  bool reservation_open = false;  // `reserved` is released, or passed to the chunk, once
  try {
    LoadedChunk spare = reserve(reserved, std::size_t(bytes));
    reservation_open = true;
    set_aside.push_back(std::move(spare));
    Result<LoadedChunk> loaded = load();
    set_aside.resize(depth);  // a spare the load did not take is freed; its count is `reserved`
    const bool made = loaded.ok() && *loaded;
    reservation_open = false;  // from here the chunk's deleter releases it, or:
    if (!made) live_->release(reserved);
    Result<DecodedChunk> result = made ? Result<DecodedChunk>(adopt(std::move(*loaded), reserved))
                                       : (loaded.ok() ? Result<DecodedChunk>(DecodedChunk{})
                                                      : Result<DecodedChunk>(loaded.error()));
    if (made) loads_.fetch_add(1, std::memory_order_relaxed);
    finish(result);
    return result;
  } catch (...) {
    // Waiters must not wait forever for a load that threw (std::bad_alloc): they get an error.
    set_aside.resize(depth);
    if (reservation_open) live_->release(reserved);
    finish(make_error(ErrorCode::kOutOfMemory, "out of memory while decoding a chunk"));
    throw;
  }
}

// Waits until `bytes` more fit beside the chunks alive: a spare of the size is taken as it is
// (already counted); otherwise spares of other sizes are freed, then kept chunks evicted (each
// becoming a spare when no reader holds it). With nothing alive a chunk is let through whatever
// its size, so that every load makes progress.
LoadedChunk ChunkCache::reserve(std::uint64_t bytes, std::size_t size) {
  if (bytes == 0) return nullptr;
  for (;;) {
    LoadedChunk dropped;  // freed after the lock
    {
      const std::lock_guard lock(live_->mutex);
      if (LoadedChunk spare = live_->take_spare_locked(size)) return spare;
      if (live_->bytes == 0 || live_->bytes + bytes <= live_->capacity) {
        live_->bytes += bytes;
        return nullptr;
      }
      dropped = live_->drop_spare_locked();
    }
    if (dropped || evict_one()) continue;
    // Everything alive is held by readers or being decoded: wait for one to be let go.
    std::unique_lock lock(live_->mutex);
    live_->changed.wait(lock, [&] {
      return live_->bytes == 0 || live_->bytes + bytes <= live_->capacity || live_->kept > 0 ||
             !live_->spares.empty();
    });
  }
}

DecodedChunk ChunkCache::adopt(LoadedChunk chunk, std::uint64_t reserved) {
  if (!chunk) return nullptr;
  std::uint64_t counted = reserved;
  if (live_->capacity > 0 && cost(chunk->size()) != reserved) {
    // The loader made another size than announced: count what it made.
    live_->add(cost(chunk->size()));
    live_->release(reserved);
    counted = cost(chunk->size());
  }
  std::shared_ptr<Live> live = live_;
  // The chunk was made non-const by its loader; only readers see it const.
  return DecodedChunk(chunk.release(), [live, counted](const ChunkBytes* bytes) {
    live->let_go(const_cast<ChunkBytes*>(bytes), counted);
  });
}

DecodedChunk ChunkCache::find(Index key) {
  const std::lock_guard lock(mutex_);
  return find_locked(key);
}

DecodedChunk ChunkCache::insert(Index key, LoadedChunk chunk) {
  const std::uint64_t reserved = chunk && live_->capacity > 0 ? cost(chunk->size()) : 0;
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
  if (live_->capacity == 0 || chunk->size() > live_->capacity) return;
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
  while (!order_.empty() && kept - dropped + size > live_->capacity) drop(std::prev(order_.end()));
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
