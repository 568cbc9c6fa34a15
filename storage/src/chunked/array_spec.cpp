#include "array_spec.hpp"

#include "../codecs/crc32c.hpp"

namespace zoomflow::storage {

std::string KeyEncoding::key(const IndexVector& grid_index) const {
  std::string key;
  const int rank = grid_index.rank();
  const char sep = style == Style::kN5 ? '/' : separator;
  if (style == Style::kZarr3) key = rank == 0 ? "c" : std::string("c") + sep;
  for (int k = 0; k < rank; ++k) {
    const int axis = style == Style::kN5 ? rank - 1 - k : k;
    if (k > 0) key += sep;
    key += std::to_string(grid_index[axis]);
  }
  if (style == Style::kZarr2 && rank == 0) key = "0";
  return key;
}

Shape ShardingSpec::chunks_per_shard(const Shape& shard_shape) const {
  Shape per = shard_shape;
  for (int a = 0; a < per.rank(); ++a) per[a] = shard_shape[a] / chunk_shape[a];
  return per;
}

Result<std::vector<std::uint64_t>> decode_shard_index(const ShardingSpec& sharding, Index chunks,
                                                      std::span<const std::byte> stored) {
  const std::size_t expected = sharding.index_bytes(chunks);
  if (stored.size() != expected)
    return make_error(ErrorCode::kCorrupt, "the shard index holds " +
                                               std::to_string(stored.size()) +
                                               " bytes instead of " + std::to_string(expected));
  const std::size_t body = std::size_t(chunks) * 16;
  if (sharding.index_crc32c) {
    std::uint32_t recorded = 0;
    for (int i = 3; i >= 0; --i)
      recorded = (recorded << 8) | std::uint32_t(stored[body + std::size_t(i)]);
    if (recorded != crc32c(stored.first(body)))
      return make_error(ErrorCode::kCorrupt, "the shard index fails its crc32c checksum");
  }
  std::vector<std::uint64_t> entries(std::size_t(chunks) * 2);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      const int byte = sharding.index_big_endian ? i : 7 - i;
      v = (v << 8) | std::uint64_t(stored[e * 8 + std::size_t(byte)]);
    }
    entries[e] = v;
  }
  return entries;
}

std::vector<std::byte> encode_shard_index(const ShardingSpec& sharding,
                                          const std::vector<std::uint64_t>& entries) {
  std::vector<std::byte> out;
  out.reserve(entries.size() * 8 + 4);
  for (std::uint64_t v : entries)
    for (int i = 0; i < 8; ++i) {
      const int shift = sharding.index_big_endian ? 8 * (7 - i) : 8 * i;
      out.push_back(std::byte((v >> shift) & 0xFF));
    }
  if (sharding.index_crc32c) {
    const std::uint32_t crc = crc32c(out);
    for (int i = 0; i < 4; ++i) out.push_back(std::byte((crc >> (8 * i)) & 0xFF));
  }
  return out;
}

}  // namespace zoomflow::storage
