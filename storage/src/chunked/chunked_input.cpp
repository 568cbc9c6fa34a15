#include "chunked_input.hpp"

#include <cstring>
#include <filesystem>

#include "../chunk_cache.hpp"
#include "../chunk_reader.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow::storage {
namespace {

constexpr std::uint64_t kShardIndexCacheBytes = std::uint64_t(64) << 20;

class ChunkedInput final : public InputDriver {
 public:
  ChunkedInput(DirectoryStore store, std::string array_key, ArraySpec spec, DatasetInfo info,
               const InputOptions& options)
      : store_(std::move(store)),
        array_key_(std::move(array_key)),
        spec_(std::move(spec)),
        info_(std::move(info)),
        where_(info_.path.to_string()),
        grid_(spec_.shape, spec_.read_chunk_shape()),
        units_(spec_.shape, spec_.unit_shape),
        cache_(options.chunk_cache_bytes),
        index_cache_(kShardIndexCacheBytes) {
    if (spec_.sharding) per_shard_ = spec_.sharding->chunks_per_shard(spec_.unit_shape);
  }

  const DatasetInfo& info() const override { return info_; }

  Status read_box(const Box& box, ArrayView out) const override {
    return read_box_from_chunks(grid_, spec_.dtype, spec_.fill, box, out,
                                [&](const IndexVector& g) { return load_chunk(g); });
  }

 private:
  std::string unit_key(const IndexVector& unit_index) const {
    const std::string key = spec_.keys.key(unit_index);
    return array_key_.empty() ? key : array_key_ + "/" + key;
  }

  std::string chunk_name(const IndexVector& grid_index) const {
    if (!spec_.sharding)
      return "chunk " + spec_.keys.key(grid_index) + " (voxels " +
             to_string(grid_.chunk_box(grid_index)) + ") of " + where_;
    IndexVector shard = grid_index;
    for (int a = 0; a < shard.rank(); ++a) shard[a] /= per_shard_[a];
    return "chunk " + to_string(grid_index) + " (voxels " + to_string(grid_.chunk_box(grid_index)) +
           ") in shard " + spec_.keys.key(shard) + " of " + where_;
  }

  Error chunk_error(const IndexVector& grid_index, const Error& error) const {
    if (error.code == ErrorCode::kCorrupt)
      return make_error(ErrorCode::kCorrupt,
                        chunk_name(grid_index) + " is corrupt: " + error.message);
    return make_error(error.code, "reading " + chunk_name(grid_index) + ": " + error.message);
  }

  Result<DecodedChunk> decode(const IndexVector& grid_index,
                              std::span<const std::byte> stored) const {
    const std::size_t bytes =
        std::size_t(num_elements(grid_.chunk_shape())) * dtype_size(spec_.dtype);
    auto decoded = std::make_shared<ChunkBytes>(bytes);
    const Status status = decode_stored_chunk(spec_.read_codec(), spec_.dtype, grid_.chunk_shape(),
                                              spec_.fill, stored, decoded->span());
    if (!status.ok()) return chunk_error(grid_index, status.error());
    return DecodedChunk(std::move(decoded));
  }

  Result<DecodedChunk> load_chunk(const IndexVector& grid_index) const {
    const Index key = grid_.linear_index(grid_index);
    if (DecodedChunk hit = cache_.find(key)) return hit;
    Result<DecodedChunk> chunk =
        spec_.sharding ? load_from_shard(grid_index) : load_unsharded(grid_index);
    if (chunk.ok() && *chunk) cache_.insert(key, *chunk);
    return chunk;
  }

  Result<DecodedChunk> load_unsharded(const IndexVector& grid_index) const {
    auto bytes = store_.read(unit_key(grid_index));
    if (!bytes.ok()) return chunk_error(grid_index, bytes.error());
    if (!*bytes) return DecodedChunk{};  // never written: the fill value
    return decode(grid_index, **bytes);
  }

  // The shard's index entries (2 per inner chunk), or an empty set for a missing shard.
  Result<DecodedChunk> load_index(const IndexVector& shard, const StoreFile* file,
                                  const IndexVector& grid_index) const {
    const Index key = units_.linear_index(shard);
    if (DecodedChunk hit = index_cache_.find(key)) return hit;
    const ShardingSpec& sharding = *spec_.sharding;
    const Index chunks = num_elements(per_shard_);
    auto entries = std::make_shared<ChunkBytes>(0);
    if (file != nullptr) {
      const std::size_t size = sharding.index_bytes(chunks);
      if (file->size() < size)
        return chunk_error(
            grid_index, make_error(ErrorCode::kCorrupt,
                                   "the shard holds " + std::to_string(file->size()) +
                                       " bytes, less than its index of " + std::to_string(size)));
      std::vector<std::byte> stored(size);
      const Status read = file->read_at(sharding.index_at_end ? file->size() - size : 0, stored);
      if (!read.ok()) return chunk_error(grid_index, read.error());
      auto decoded = decode_shard_index(sharding, chunks, stored);
      if (!decoded.ok()) return chunk_error(grid_index, decoded.error());
      entries = std::make_shared<ChunkBytes>(decoded->size() * sizeof(std::uint64_t));
      std::memcpy(entries->data(), decoded->data(), entries->size());
    }
    DecodedChunk result(std::move(entries));
    index_cache_.insert(key, result);
    return result;
  }

  Result<DecodedChunk> load_from_shard(const IndexVector& grid_index) const {
    IndexVector shard = grid_index;
    IndexVector inner = grid_index;
    for (int a = 0; a < shard.rank(); ++a) {
      shard[a] = grid_index[a] / per_shard_[a];
      inner[a] = grid_index[a] % per_shard_[a];
    }
    auto file = store_.open_file(unit_key(shard));
    if (!file.ok()) return chunk_error(grid_index, file.error());
    if (!*file) return DecodedChunk{};
    ZF_ASSIGN_OR_RETURN(const DecodedChunk index, load_index(shard, &**file, grid_index));
    if (index->size() == 0) return DecodedChunk{};
    Index position = 0;
    for (int a = 0; a < inner.rank(); ++a) position = position * per_shard_[a] + inner[a];
    std::uint64_t entry[2];
    std::memcpy(entry, index->data() + std::size_t(position) * 16, 16);
    const auto [offset, size] = std::pair(entry[0], entry[1]);
    if (offset == kMissingShardEntry && size == kMissingShardEntry) return DecodedChunk{};
    if (offset > (*file)->size() || size > (*file)->size() - offset)
      return chunk_error(
          grid_index,
          make_error(ErrorCode::kCorrupt, "the shard index points outside the shard: bytes [" +
                                              std::to_string(offset) + ", " +
                                              std::to_string(offset + size) + ") of a shard of " +
                                              std::to_string((*file)->size()) + " bytes"));
    std::vector<std::byte> stored(static_cast<std::size_t>(size));
    const Status read = (*file)->read_at(offset, stored);
    if (!read.ok()) return chunk_error(grid_index, read.error());
    return decode(grid_index, stored);
  }

  DirectoryStore store_;
  std::string array_key_;
  ArraySpec spec_;
  DatasetInfo info_;
  std::string where_;
  ChunkGrid grid_;   // of the chunks decoded on their own (inner chunks when sharded)
  ChunkGrid units_;  // of the stored units (shards when sharded)
  Shape per_shard_;
  mutable ChunkCache cache_;
  mutable ChunkCache index_cache_;
};

}  // namespace

Result<std::unique_ptr<InputDriver>> make_chunked_input(DirectoryStore store, std::string array_key,
                                                        ArraySpec spec, DatasetInfo info,
                                                        const InputOptions& options) {
  info.shape = spec.shape;
  info.dtype = spec.dtype;
  info.chunked = true;
  info.chunk_shape = spec.read_chunk_shape();
  if (spec.sharding) info.shard_shape = spec.unit_shape;
  return std::unique_ptr<InputDriver>(std::make_unique<ChunkedInput>(
      std::move(store), std::move(array_key), std::move(spec), std::move(info), options));
}

std::uint64_t stored_bytes(const DirectoryStore& store, const std::string& array_key) {
  namespace fs = std::filesystem;
  std::uint64_t total = 0;
  std::error_code ec;
  const fs::path folder =
      array_key.empty() ? fs::path(store.root()) : fs::path(store.root()) / array_key;
  for (auto it = fs::recursive_directory_iterator(folder, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += it->file_size(size_ec);
  }
  return total;
}

}  // namespace zoomflow::storage
