// One chunked array on a store as Zarr v2, Zarr v3 and N5 all describe it once their metadata
// is parsed: shape, dtype, fill value, the grid of stored units (chunks, or shards), how each is
// named (its key) and coded. The readers and writers of every key-value format share it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chunk_codec.hpp"
#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow::storage {

// The name of a stored unit from its grid index.
struct KeyEncoding {
  enum class Style {
    kZarr3,  // "c/0/1/2" ("c.0.1.2" with separator '.')
    kZarr2,  // "0.1.2" ("0/1/2" with separator '/'); Zarr v3's "v2" encoding too
    kN5,     // "2/1/0": N5 lists the fastest axis first
  };
  Style style = Style::kZarr3;
  char separator = '/';

  std::string key(const IndexVector& grid_index) const;
};

// Zarr v3's sharding_indexed: each stored unit (a shard) holds a grid of inner chunks, coded on
// their own, and an index of (offset, size) per inner chunk, in C order.
struct ShardingSpec {
  Shape chunk_shape;  // inner chunk, voxels
  ChunkCodec codec;   // of an inner chunk
  bool index_big_endian = false;
  bool index_crc32c = true;
  bool index_at_end = true;

  // Inner chunks per shard.
  Shape chunks_per_shard(const Shape& shard_shape) const;
  // Bytes of the encoded index for `chunks` inner chunks.
  std::size_t index_bytes(Index chunks) const {
    return std::size_t(chunks) * 16 + (index_crc32c ? 4 : 0);
  }
};

struct ArraySpec {
  Shape shape;
  DType dtype = DType::kUInt8;
  Shape unit_shape;             // one stored unit: a chunk, or a shard when sharded
  std::vector<std::byte> fill;  // one element, native byte order
  ChunkCodec codec;             // of a chunk (unsharded arrays)
  std::optional<ShardingSpec> sharding;
  KeyEncoding keys;

  // The unit decoded on its own: the inner chunk when sharded, else the chunk.
  const Shape& read_chunk_shape() const { return sharding ? sharding->chunk_shape : unit_shape; }
  const ChunkCodec& read_codec() const { return sharding ? sharding->codec : codec; }
};

// The special (offset, size) of an inner chunk that is not stored.
inline constexpr std::uint64_t kMissingShardEntry = ~std::uint64_t(0);

// Decodes a shard index (after the codec checks: crc32c) into 2 * chunks numbers.
Result<std::vector<std::uint64_t>> decode_shard_index(const ShardingSpec& sharding, Index chunks,
                                                      std::span<const std::byte> stored);
// Encodes a shard index.
std::vector<std::byte> encode_shard_index(const ShardingSpec& sharding,
                                          const std::vector<std::uint64_t>& entries);

}  // namespace zoomflow::storage
