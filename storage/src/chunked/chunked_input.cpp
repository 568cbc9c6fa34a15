#include "chunked_input.hpp"

#include <dirent.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

#include "../array_copy.hpp"
#include "../chunk_cache.hpp"
#include "../chunk_reader.hpp"
#include "../shape_limits.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow::storage {
namespace {

constexpr std::uint64_t kShardIndexCacheBytes = std::uint64_t(64) << 20;

// True when the array's folder holds nothing but metadata (no chunk, shard or block folder):
// nothing was ever written. Stops at the first other entry, however many chunks there are.
bool holds_no_chunks(const DirectoryStore& store, const std::string& array_key) {
  const std::string folder = array_key.empty() ? store.root() : store.root() + "/" + array_key;
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) return false;
  bool empty = true;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name.starts_with(".") || name == "zarr.json" || name == "attributes.json") continue;
    empty = false;
    break;
  }
  ::closedir(dir);
  return empty;
}

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
        chunk_bytes_(std::uint64_t(num_elements(grid_.chunk_shape())) * dtype_size(spec_.dtype)),
        max_stored_(max_stored_bytes(spec_.read_codec(), chunk_bytes_, spec_.shape.rank())),
        nothing_written_(holds_no_chunks(store_, array_key_)),
        cache_(options.chunk_cache_bytes),
        index_cache_(kShardIndexCacheBytes) {
    if (spec_.sharding) per_shard_ = spec_.sharding->chunks_per_shard(spec_.unit_shape);
  }

  const DatasetInfo& info() const override { return info_; }

  Status read_box(const Box& box, ArrayView out) const override {
    return read_box_from_chunks(grid_, spec_.dtype, spec_.fill, box, out,
                                [&](const IndexVector& g) { return load_chunk(g); });
  }

  Result<bool> is_unwritten(const Box& box) const override {
    if (nothing_written_) return true;
    Status status;
    bool unwritten = true;
    for_each_index(grid_.chunks_touching(box), [&](const IndexVector& grid_index) {
      if (!unwritten || !status.ok()) return;
      auto written = is_written(grid_index);
      if (!written.ok())
        status = written.error();
      else
        unwritten = !*written;
    });
    ZF_RETURN_IF_ERROR(status);
    return unwritten;
  }

  std::span<const std::byte> fill_value() const override { return spec_.fill; }
  std::optional<std::uint64_t> chunks_decoded() const override { return cache_.loads(); }

 private:
  std::string unit_key(const IndexVector& unit_index) const {
    const std::string key = spec_.keys.key(unit_index);
    return array_key_.empty() ? key : array_key_ + "/" + key;
  }

  std::string chunk_name(const IndexVector& grid_index) const {
    if (!spec_.sharding)
      return "chunk " + spec_.keys.key(grid_index) + " (voxels " +
             to_string(grid_.chunk_box(grid_index)) + ") of " + where_;
    return "chunk " + to_string(grid_index) + " (voxels " + to_string(grid_.chunk_box(grid_index)) +
           ") in shard " + spec_.keys.key(shard_of(grid_index)) + " of " + where_;
  }

  Error chunk_error(const IndexVector& grid_index, const Error& error) const {
    if (error.code == ErrorCode::kCorrupt)
      return make_error(ErrorCode::kCorrupt,
                        chunk_name(grid_index) + " is corrupt: " + error.message);
    return make_error(error.code, "reading " + chunk_name(grid_index) + ": " + error.message);
  }

  IndexVector shard_of(const IndexVector& grid_index) const {
    IndexVector shard = grid_index;
    for (int a = 0; a < shard.rank(); ++a) shard[a] = grid_index[a] / per_shard_[a];
    return shard;
  }

  // A stored size beyond what any encoding of the chunk takes: damaged, refused unread.
  Status check_stored_size(std::uint64_t size) const {
    if (size <= max_stored_) return ok_status();
    return make_error(ErrorCode::kCorrupt, "it claims " + std::to_string(size) +
                                               " bytes, more than any encoding of its " +
                                               std::to_string(chunk_bytes_) + " bytes can take");
  }

  Result<LoadedChunk> decode(const IndexVector& grid_index,
                             std::span<const std::byte> stored) const {
    auto decoded = ChunkCache::make_chunk(std::size_t(chunk_bytes_));
    const Status status = decode_stored_chunk(spec_.read_codec(), spec_.dtype, grid_.chunk_shape(),
                                              spec_.fill, stored, decoded->span());
    if (!status.ok()) return chunk_error(grid_index, status.error());
    return decoded;
  }

  // Reads `size` bytes at `offset` of `file` and decodes them; a chunk stored as it is decoded
  // (no codec, no header) is read straight into its buffer.
  Result<LoadedChunk> read_and_decode(const IndexVector& grid_index, const StoreFile& file,
                                      std::uint64_t offset, std::uint64_t size) const {
    if (const Status checked = check_stored_size(size); !checked.ok())
      return chunk_error(grid_index, checked.error());
    const ChunkCodec& codec = spec_.read_codec();
    if (codec.bytes_codecs.empty() && !codec.n5_header && codec.order.empty() &&
        size == chunk_bytes_) {
      auto decoded = ChunkCache::make_chunk(std::size_t(chunk_bytes_));
      const Status read = file.read_at(offset, decoded->span());
      if (!read.ok()) return chunk_error(grid_index, read.error());
      if (codec.big_endian) swap_byte_order(decoded->span(), dtype_size(spec_.dtype));
      return decoded;
    }
    const auto stored = std::make_unique_for_overwrite<std::byte[]>(std::size_t(size));
    const std::span<std::byte> bytes(stored.get(), std::size_t(size));
    const Status read = file.read_at(offset, bytes);
    if (!read.ok()) return chunk_error(grid_index, read.error());
    return decode(grid_index, bytes);
  }

  Result<DecodedChunk> load_chunk(const IndexVector& grid_index) const {
    if (nothing_written_) return DecodedChunk{};
    return cache_.find_or_load(
        grid_.linear_index(grid_index), chunk_bytes_, [&]() -> Result<LoadedChunk> {
          return spec_.sharding ? load_from_shard(grid_index) : load_unsharded(grid_index);
        });
  }

  Result<LoadedChunk> load_unsharded(const IndexVector& grid_index) const {
    auto file = store_.open_file(unit_key(grid_index));
    if (!file.ok()) return chunk_error(grid_index, file.error());
    if (!*file) return LoadedChunk{};  // never written: the fill value
    return read_and_decode(grid_index, **file, 0, (*file)->size());
  }

  // The shard's index entries (2 per inner chunk), or an empty set for a missing shard.
  Result<DecodedChunk> load_index(const IndexVector& shard, const StoreFile* file,
                                  const IndexVector& grid_index) const {
    const ShardingSpec& sharding = *spec_.sharding;
    const Index chunks = num_elements(per_shard_);
    const std::size_t size = sharding.index_bytes(chunks);  // stored, with its checksum
    const std::size_t entry_bytes = std::size_t(chunks) * 2 * sizeof(std::uint64_t);
    return index_cache_.find_or_load(
        units_.linear_index(shard), file != nullptr ? entry_bytes : 0,
        [&]() -> Result<LoadedChunk> {
          if (file == nullptr) return std::make_unique<ChunkBytes>(0);
          if (file->size() < size)
            return chunk_error(
                grid_index,
                make_error(ErrorCode::kCorrupt, "the shard holds " + std::to_string(file->size()) +
                                                    " bytes, less than its index of " +
                                                    std::to_string(size)));
          std::vector<std::byte> stored(size);
          const Status read =
              file->read_at(sharding.index_at_end ? file->size() - size : 0, stored);
          if (!read.ok()) return chunk_error(grid_index, read.error());
          auto decoded = decode_shard_index(sharding, chunks, stored);
          if (!decoded.ok()) return chunk_error(grid_index, decoded.error());
          auto entries = ChunkCache::make_chunk(decoded->size() * sizeof(std::uint64_t));
          std::memcpy(entries->data(), decoded->data(), entries->size());
          return entries;
        });
  }

  // The (offset, size) of an inner chunk in its shard, nullopt when it is not stored; an entry
  // pointing outside the shard is an error.
  Result<std::optional<std::pair<std::uint64_t, std::uint64_t>>> shard_entry(
      const IndexVector& grid_index, const StoreFile& file, const DecodedChunk& index) const {
    using Entry = std::optional<std::pair<std::uint64_t, std::uint64_t>>;
    if (index->size() == 0) return Entry();
    Index position = 0;
    for (int a = 0; a < grid_index.rank(); ++a)
      position = position * per_shard_[a] + grid_index[a] % per_shard_[a];
    std::uint64_t entry[2];
    std::memcpy(entry, index->data() + std::size_t(position) * 16, 16);
    const auto [offset, size] = std::pair(entry[0], entry[1]);
    if (offset == kMissingShardEntry && size == kMissingShardEntry) return Entry();
    if (offset > file.size() || size > file.size() - offset)
      return chunk_error(
          grid_index, make_error(ErrorCode::kCorrupt,
                                 "the shard index points outside the shard: bytes [" +
                                     std::to_string(offset) + ", " + std::to_string(offset + size) +
                                     ") of a shard of " + std::to_string(file.size()) + " bytes"));
    return Entry(std::pair(offset, size));
  }

  Result<LoadedChunk> load_from_shard(const IndexVector& grid_index) const {
    const IndexVector shard = shard_of(grid_index);
    auto file = store_.open_file(unit_key(shard));
    if (!file.ok()) return chunk_error(grid_index, file.error());
    if (!*file) return LoadedChunk{};
    ZF_ASSIGN_OR_RETURN(const DecodedChunk index, load_index(shard, &**file, grid_index));
    ZF_ASSIGN_OR_RETURN(const auto entry, shard_entry(grid_index, **file, index));
    if (!entry) return LoadedChunk{};
    return read_and_decode(grid_index, **file, entry->first, entry->second);
  }

  Result<bool> is_written(const IndexVector& grid_index) const {
    if (!spec_.sharding) {
      auto file = store_.open_file(unit_key(grid_index));
      if (!file.ok()) return chunk_error(grid_index, file.error());
      return file->has_value();
    }
    const IndexVector shard = shard_of(grid_index);
    auto file = store_.open_file(unit_key(shard));
    if (!file.ok()) return chunk_error(grid_index, file.error());
    if (!*file) return false;
    ZF_ASSIGN_OR_RETURN(const DecodedChunk index, load_index(shard, &**file, grid_index));
    ZF_ASSIGN_OR_RETURN(const auto entry, shard_entry(grid_index, **file, index));
    return entry.has_value();
  }

  DirectoryStore store_;
  std::string array_key_;
  ArraySpec spec_;
  DatasetInfo info_;
  std::string where_;
  ChunkGrid grid_;   // of the chunks decoded on their own (inner chunks when sharded)
  ChunkGrid units_;  // of the stored units (shards when sharded)
  Shape per_shard_;
  std::uint64_t chunk_bytes_ = 0;  // one decoded chunk
  std::uint64_t max_stored_ = 0;   // the most one stored chunk may take
  bool nothing_written_ = false;
  mutable ChunkCache cache_;
  mutable ChunkCache index_cache_;
};

}  // namespace

Result<std::unique_ptr<InputDriver>> make_chunked_input(DirectoryStore store, std::string array_key,
                                                        ArraySpec spec, DatasetInfo info,
                                                        const InputOptions& options) {
  // Sizes from metadata are checked before anything is computed from them.
  const std::string where = info.path.to_string();
  const std::size_t element = dtype_size(spec.dtype);
  ZF_RETURN_IF_ERROR(checked_bytes(spec.shape, element, "shape", where));
  ZF_RETURN_IF_ERROR(checked_bytes(spec.unit_shape, element, "chunk shape", where));
  ZF_RETURN_IF_ERROR(checked_bytes(spec.read_chunk_shape(), element, "chunk shape", where));
  if (spec.sharding) {
    const Shape per_shard = spec.sharding->chunks_per_shard(spec.unit_shape);
    ZF_ASSIGN_OR_RETURN(const std::uint64_t index_bytes,
                        checked_bytes(per_shard, 16, "inner chunk grid of a shard", where));
    if (ChunkCache::cost(index_bytes) > kShardIndexCacheBytes)
      return make_error(ErrorCode::kInvalidArgument,
                        where + ": a shard of " + to_string(per_shard) +
                            " inner chunks has an index of " + std::to_string(index_bytes) +
                            " bytes; zoomflow reads shard indexes of up to 64 MiB (4 M chunks)");
  }
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
