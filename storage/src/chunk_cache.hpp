// A bounded, thread-safe LRU cache of decoded chunks, shared by the readers of one dataset, so
// that neighbouring boxes (overlapping halos, blocks smaller than chunks) decode a chunk once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

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

using DecodedChunk = std::shared_ptr<const ChunkBytes>;

class ChunkCache {
 public:
  // Holds at most `capacity_bytes` of chunk data (0: holds nothing).
  explicit ChunkCache(std::uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The chunk stored under `key`, now the most recently used; null when absent.
  DecodedChunk find(Index key);
  // Stores `chunk` under `key`, evicting the least recently used chunks to stay within capacity.
  // A chunk larger than the capacity is not stored.
  void insert(Index key, DecodedChunk chunk);

  std::uint64_t size_bytes() const;

 private:
  using Entry = std::pair<Index, DecodedChunk>;
  mutable std::mutex mutex_;
  std::uint64_t capacity_;
  std::uint64_t bytes_ = 0;
  std::list<Entry> order_;  // most recent first
  std::unordered_map<Index, std::list<Entry>::iterator> index_;
};

}  // namespace zoomflow::storage
