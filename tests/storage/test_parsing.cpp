// Dataset paths, compression specs, the chunk grid and the decoded-chunk cache.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "chunk_cache.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/dataset_path.hpp"

using namespace zoomflow;
using namespace zoomflow::storage;

TEST_CASE("dataset paths split at the last ':/'") {
  auto p = parse_dataset_path("data/vol.h5:/group/raw");
  REQUIRE(p.ok());
  CHECK(p->file == "data/vol.h5");
  CHECK(p->dataset == "/group/raw");
  CHECK(p->to_string() == "data/vol.h5:/group/raw");

  p = parse_dataset_path("vol.h5");
  REQUIRE(p.ok());
  CHECK(p->file == "vol.h5");
  CHECK(p->dataset.empty());

  p = parse_dataset_path("odd:name.h5:/a:/b");
  REQUIRE(p.ok());
  CHECK(p->file == "odd:name.h5:/a");
  CHECK(p->dataset == "/b");

  CHECK(parse_dataset_path("").error().code == ErrorCode::kInvalidArgument);
  CHECK(parse_dataset_path(":/raw").error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("compression specs") {
  auto c = parse_compression("zstd");
  REQUIRE(c.ok());
  CHECK(c->codec == Codec::kZstd);
  CHECK(c->level == 1);
  c = parse_compression("zstd:7");
  REQUIRE(c.ok());
  CHECK(c->level == 7);
  CHECK(c->to_string() == "zstd:7");
  c = parse_compression("gzip:9");
  REQUIRE(c.ok());
  CHECK(c->codec == Codec::kDeflate);
  CHECK(c->to_string() == "gzip:9");
  c = parse_compression("none");
  REQUIRE(c.ok());
  CHECK(c->codec == Codec::kNone);
  for (const char* bad : {"lz4", "zstd:", "zstd:x", "zstd:99", "gzip:10", "none:1", "zstd:1.5"}) {
    const auto r = parse_compression(bad);
    REQUIRE_MESSAGE(!r.ok(), bad);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find(bad) != std::string::npos);
  }
}

TEST_CASE("chunk grid: edge chunks are clipped, touching chunks found") {
  const ChunkGrid grid({10, 7}, {4, 3});
  CHECK(grid.grid_shape() == Shape{3, 3});
  CHECK(grid.num_chunks() == 9);
  CHECK(grid.chunk_box({2, 2}) == Box{{8, 6}, {2, 1}});
  CHECK(grid.chunk_origin({1, 2}) == IndexVector{4, 6});
  CHECK(grid.linear_index({2, 1}) == 7);
  CHECK(grid.chunks_touching(Box{{3, 2}, {2, 2}}) == Box{{0, 0}, {2, 2}});
  CHECK(grid.chunks_touching(Box{{4, 3}, {4, 3}}) == Box{{1, 1}, {1, 1}});
  std::vector<IndexVector> visited;
  for_each_index(Box{{1, 5}, {2, 2}}, [&](const IndexVector& i) { visited.push_back(i); });
  CHECK(visited == std::vector<IndexVector>{{1, 5}, {1, 6}, {2, 5}, {2, 6}});
}

TEST_CASE("chunk cache evicts the least recently used within its byte budget") {
  const std::uint64_t entry = ChunkCache::cost(100);
  ChunkCache cache(3 * entry);
  const auto chunk = [](std::size_t n) { return std::make_unique<ChunkBytes>(n); };
  cache.insert(1, chunk(100));
  cache.insert(2, chunk(100));
  cache.insert(3, chunk(100));
  CHECK(cache.size_bytes() == 3 * entry);
  CHECK(cache.find(1) != nullptr);  // 1 is now the most recent; 2 the least
  cache.insert(4, chunk(100));
  CHECK(cache.find(2) == nullptr);
  CHECK(cache.find(1) != nullptr);
  CHECK(cache.find(3) != nullptr);
  CHECK(cache.find(4) != nullptr);
  CHECK(cache.insert(5, chunk(3 * entry + 1)) != nullptr);  // larger than the cache: not kept
  CHECK(cache.find(5) == nullptr);
  CHECK(cache.size_bytes() == 3 * entry);
  CHECK(cache.live_bytes() == 3 * entry);
  ChunkCache off(0);
  off.insert(1, chunk(1));
  CHECK(off.find(1) == nullptr);
  CHECK(off.live_bytes() == 0);
}

TEST_CASE("chunk cache counts each chunk's bookkeeping: one-byte chunks stay within the budget") {
  ChunkCache cache(1 << 20);
  for (Index key = 0; key < 100000; ++key) cache.insert(key, std::make_unique<ChunkBytes>(1));
  CHECK(cache.size_bytes() <= (1 << 20));
  CHECK(cache.size_bytes() / ChunkCache::cost(1) == (1 << 20) / ChunkCache::cost(1));
  CHECK(cache.find(99999) != nullptr);
  CHECK(cache.find(0) == nullptr);
}

TEST_CASE("chunk cache bounds the chunks readers hold: a load waits until one is let go") {
  const std::uint64_t entry = ChunkCache::cost(1000);
  ChunkCache cache(2 * entry);
  const auto load = [](Index) {
    return [] { return Result<LoadedChunk>(std::make_unique<ChunkBytes>(1000)); };
  };
  auto a = cache.find_or_load(1, 1000, load(1));
  auto b = cache.find_or_load(2, 1000, load(2));
  REQUIRE((a.ok() && b.ok()));
  CHECK(cache.live_bytes() == 2 * entry);
  std::atomic<bool> done{false};
  std::thread third([&] {
    auto c = cache.find_or_load(3, 1000, load(3));
    CHECK((c.ok() && *c));
    CHECK(cache.live_bytes() <= 2 * entry);
    done = true;
  });
  // Both chunks are held: evicting them from the cache frees nothing, so the third load waits.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(!done);
  *a = nullptr;
  third.join();
  CHECK(done);
  *b = nullptr;
  CHECK(cache.live_bytes() <= 2 * entry);
}

TEST_CASE("chunk cache lends a let-go chunk's buffer to the next load of its size, within bounds") {
  const std::uint64_t entry = ChunkCache::cost(1000);
  ChunkCache cache(entry + 100);  // room for one chunk of 1000 bytes
  std::vector<const std::byte*> buffers;
  std::vector<std::unique_ptr<std::byte[]>> decoys;  // so that malloc cannot hand a freed one back
  const auto load = [&](std::size_t size, std::byte fill) {
    return [&, size, fill]() -> Result<LoadedChunk> {
      decoys.push_back(std::make_unique<std::byte[]>(size));
      LoadedChunk chunk = ChunkCache::make_chunk(size);
      std::memset(chunk->data(), int(fill), size);
      buffers.push_back(chunk->data());
      return chunk;
    };
  };
  {
    auto first = cache.find_or_load(1, 1000, load(1000, std::byte{1}));
    REQUIRE((first.ok() && *first));
  }
  // Chunk 1 is evicted for chunk 2; nobody holds it, so its buffer carries chunk 2.
  auto second = cache.find_or_load(2, 1000, load(1000, std::byte{2}));
  REQUIRE((second.ok() && *second));
  CHECK(buffers.size() == 2);
  CHECK(buffers[1] == buffers[0]);
  CHECK((*second)->data()[999] == std::byte{2});
  CHECK(cache.live_bytes() <= entry + 100);
  CHECK(cache.find(1) == nullptr);
  *second = nullptr;
  // Another size: the spare of 1000 bytes is freed to make room, not lent, and nothing waits.
  auto third = cache.find_or_load(3, 600, load(600, std::byte{3}));
  REQUIRE((third.ok() && *third));
  CHECK((*third)->size() == 600);
  CHECK(cache.live_bytes() <= entry + 100);
  // Outside a load there is nothing set aside: a new buffer.
  CHECK(ChunkCache::make_chunk(1000)->size() == 1000);
}

TEST_CASE("chunk cache loads a chunk once while many readers ask for it at once") {
  ChunkCache cache(1 << 20);
  std::atomic<int> loads{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t)
    readers.emplace_back([&] {
      for (Index key = 0; key < 200; ++key) {
        auto chunk = cache.find_or_load(key, 8, [&]() -> Result<LoadedChunk> {
          ++loads;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          auto bytes = std::make_unique<ChunkBytes>(8);
          std::memset(bytes->data(), int(key), 8);
          return bytes;
        });
        if (!chunk.ok() || !*chunk || (*chunk)->data()[7] != std::byte(key)) ++failures;
      }
    });
  for (std::thread& reader : readers) reader.join();
  CHECK(failures == 0);
  CHECK(loads == 200);
  // A failed load reaches its waiters and is not kept: the next caller loads again.
  auto failed = cache.find_or_load(
      1000, 8, []() -> Result<LoadedChunk> { return make_error(ErrorCode::kCorrupt, "bad"); });
  CHECK(!failed.ok());
  auto again = cache.find_or_load(1000, 8, []() -> Result<LoadedChunk> { return LoadedChunk{}; });
  CHECK((again.ok() && !*again));
  CHECK(cache.live_bytes() == cache.size_bytes());
}
