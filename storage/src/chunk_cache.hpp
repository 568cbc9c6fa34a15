// A bounded, thread-safe LRU cache of decoded chunks, shared by the readers of one dataset, so
// that neighbouring boxes (overlapping halos, blocks smaller than chunks) decode a chunk once:
//
//   ChunkCache cache(64 << 20);
//   Result<DecodedChunk> chunk = cache.find_or_load(key, chunk_bytes, [&] { return decode(key); });
//
// The capacity bounds every decoded chunk alive, not only those cached: a chunk being decoded
// reserves its bytes first (evicting, or waiting for readers to let go of chunks), and a chunk a
// reader still holds counts until the reader drops it. Readers that ask for a chunk while
// another reader loads it wait for that load instead of decoding it again. Every chunk counts
// with its bookkeeping (kEntryOverhead), so millions of one-voxel chunks stay within it too.
// A chunk let go within the bound keeps its buffer, still counted, for the next load of that
// size: a loader asks for its buffer with ChunkCache::make_chunk, and decoding then writes into
// pages already mapped (fresh ones cost a page fault each, and freeing them an munmap).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::storage {

// One chunk's decoded bytes. Allocated without zero-filling: the decoder writes every byte.
class ChunkBytes {
 public:
  explicit ChunkBytes(std::size_t size)
      : bytes_(std::make_unique_for_overwrite<std::byte[]>(size)), size_(size) {}
  std::byte* data() { return bytes_.get(); }
  const std::byte* data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }
  std::span<std::byte> span() { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<std::byte[]> bytes_;
  std::size_t size_;
};

// A chunk as a reader holds it; null for a chunk that was never written.
using DecodedChunk = std::shared_ptr<const ChunkBytes>;
// A chunk as its loader makes it; null for a chunk that was never written.
using LoadedChunk = std::unique_ptr<ChunkBytes>;

class ChunkCache {
 public:
  // What one chunk costs beyond its bytes: the shared buffer's control block and allocation, the
  // list and hash-map nodes (measured: about 150 bytes with glibc's malloc; rounded up).
  static constexpr std::uint64_t kEntryOverhead = 192;

  // Holds at most `capacity_bytes` of decoded chunks and their bookkeeping (one chunk whose bytes
  // alone fit is kept and let through with its bookkeeping beyond); 0: keeps nothing and bounds
  // nothing (each reader decodes what it reads).
  explicit ChunkCache(std::uint64_t capacity_bytes);
  // Chunks readers still hold are freed when they let go (no longer kept as spares).
  ~ChunkCache();
  ChunkCache(const ChunkCache&) = delete;
  ChunkCache& operator=(const ChunkCache&) = delete;

  // The chunk stored under `key`; when absent, `load()` (run without the cache's lock) makes it,
  // after `bytes` (its decoded size) have been reserved. While one caller loads a key, other
  // callers of that key wait for its result (a failure included) rather than load it again. A
  // null chunk (never written) and a failure are returned but not kept.
  Result<DecodedChunk> find_or_load(Index key, std::uint64_t bytes,
                                    const std::function<Result<LoadedChunk>()>& load);

  // A buffer of `size` bytes for the chunk a loader called by find_or_load makes: the buffer the
  // cache set aside for that load when it has one of this size, else a new one.
  static LoadedChunk make_chunk(std::size_t size);

  // The chunk stored under `key`, now the most recently used; null when absent.
  DecodedChunk find(Index key);
  // Stores a chunk under `key` (its bytes counted from now), evicting the least recently used
  // to stay within capacity; a chunk whose bytes exceed the capacity is returned but not kept.
  DecodedChunk insert(Index key, LoadedChunk chunk);

  // Chunks made by `load()` (decoded, not found in the cache), over the cache's life.
  std::uint64_t loads() const { return loads_.load(std::memory_order_relaxed); }

  // Bytes counted for the chunks kept (with kEntryOverhead each).
  std::uint64_t size_bytes() const;
  // Bytes counted for every decoded chunk alive: kept, held by readers, being decoded.
  std::uint64_t live_bytes() const;

  static std::uint64_t cost(std::uint64_t bytes) { return bytes + kEntryOverhead; }

 private:
  // The bytes alive and kept, shared with the chunks' deleters (which may run after the cache
  // is gone). Its mutex is taken alone or inside mutex_, never the other way round: a deleter
  // takes only this one.
  struct Live {
    explicit Live(std::uint64_t capacity_bytes);
    const std::uint64_t capacity;
    bool closed = false;  // the cache is gone: nothing more is kept
    std::mutex mutex;
    std::condition_variable changed;
    std::uint64_t bytes = 0;  // every chunk alive, spare buffers included
    std::uint64_t kept = 0;   // the chunks the cache keeps (evictable)
    // Buffers of chunks let go, each still counted in `bytes` with its bookkeeping.
    std::vector<LoadedChunk> spares;
    // Counts `n` more bytes, freeing spares while that goes beyond the capacity.
    void add(std::uint64_t n);
    void release(std::uint64_t n);
    void keep(std::uint64_t added, std::uint64_t dropped);
    // A chunk's deleter: its buffer becomes a spare while everything alive fits the capacity
    // (its count stays), else it is freed.
    void let_go(ChunkBytes* chunk, std::uint64_t counted);
    // Under `mutex`: a spare of `size` bytes, or null; and any spare, uncounted, for the caller
    // to free after the lock.
    LoadedChunk take_spare_locked(std::size_t size);
    LoadedChunk drop_spare_locked();
  };
  struct Loading {
    std::optional<Result<DecodedChunk>> result;  // set when the load has finished
  };
  using Entry = std::pair<Index, DecodedChunk>;

  // Waits until `bytes` (the cost of a chunk of `size` bytes) fit; returns the spare buffer whose
  // count stands for them, when one of that size was taken.
  LoadedChunk reserve(std::uint64_t bytes, std::size_t size);
  DecodedChunk adopt(LoadedChunk chunk, std::uint64_t reserved);
  DecodedChunk find_locked(Index key);
  void keep_locked(Index key, const DecodedChunk& chunk);
  bool evict_one();

  std::atomic<std::uint64_t> loads_{0};
  std::shared_ptr<Live> live_;
  mutable std::mutex mutex_;
  std::condition_variable loaded_;
  std::list<Entry> order_;  // most recent first
  std::unordered_map<Index, std::list<Entry>::iterator> index_;
  std::unordered_map<Index, std::shared_ptr<Loading>> loading_;
};

}  // namespace zoomflow::storage
