#include "chunked_output.hpp"

#include <atomic>
#include <cstring>

#include "../array_copy.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/interrupt.hpp"

namespace zoomflow::storage {
namespace {

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

Error interrupted(const std::string& what) {
  return make_error(ErrorCode::kCancelled,
                    "interrupted by signal " + std::to_string(interrupt_signal()) + what);
}

class ChunkedOutput final : public OutputDriver {
 public:
  explicit ChunkedOutput(ChunkedOutputParts parts)
      : parts_(std::move(parts)),
        spec_(parts_.spec),
        where_(parts_.staged->where()),
        units_(spec_.shape, spec_.unit_shape),
        chunks_(spec_.shape, spec_.read_chunk_shape()) {}

  const Shape& shape() const override { return spec_.shape; }
  const Shape& chunk_shape() const override { return spec_.read_chunk_shape(); }
  const Shape& write_shape() const override { return spec_.unit_shape; }
  DType dtype() const override { return spec_.dtype; }
  bool parallel_writes() const override { return true; }
  const StagingRecord* staging() const override { return &parts_.staged->record(); }

  Result<EncodedChunk> encode_chunk(const IndexVector& origin,
                                    ConstArrayView values) const override {
    ZF_ASSIGN_OR_RETURN(const Box box, unit_box(origin));
    if (values.dtype() != spec_.dtype || !(values.shape() == box.extent))
      return invalid("unit " + to_string(box) + " of " + where_ + " needs a " +
                     std::string(dtype_name(spec_.dtype)) + " array of shape " +
                     to_string(box.extent) + ", got " + std::string(dtype_name(values.dtype())) +
                     " " + to_string(values.shape()));
    EncodedChunk unit{origin, {}};
    if (all_zero(values)) return unit;  // the fill value: not written
    if (spec_.sharding) {
      ZF_ASSIGN_OR_RETURN(unit.bytes, encode_shard(box, values));
    } else {
      ZF_ASSIGN_OR_RETURN(unit.bytes,
                          encode_whole_chunk(box, values, spec_.codec, spec_.unit_shape));
    }
    return unit;
  }

  Status write_chunk(const EncodedChunk& unit) override {
    if (committed_) return invalid(where_ + " is already committed; no more chunks");
    if (interrupt_requested()) return interrupted(" while writing " + where_);
    ZF_ASSIGN_OR_RETURN(const Box box, unit_box(unit.chunk_origin));
    if (unit.is_fill()) return ok_status();
    IndexVector grid_index = box.origin;
    for (int a = 0; a < grid_index.rank(); ++a) grid_index[a] /= spec_.unit_shape[a];
    return parts_.staged->array_store().write(spec_.keys.key(grid_index), unit.bytes);
  }

  Status commit() override {
    if (committed_) return ok_status();
    if (interrupt_requested()) return interrupted("; " + where_ + " was not written");
    // The array's metadata last: until it is there, the folder is not an array.
    ZF_RETURN_IF_ERROR(parts_.write_metadata(parts_.staged->array_store()));
    if (interrupt_requested()) return interrupted("; " + where_ + " was not written");
    ZF_RETURN_IF_ERROR(parts_.staged->commit(parts_.group_attributes));
    committed_ = true;
    return ok_status();
  }

 private:
  Result<Box> unit_box(const IndexVector& origin) const {
    bool ok = origin.rank() == spec_.shape.rank();
    for (int a = 0; ok && a < origin.rank(); ++a)
      ok = origin[a] >= 0 && origin[a] < spec_.shape[a] && origin[a] % spec_.unit_shape[a] == 0;
    if (!ok)
      return invalid(to_string(origin) + " is not the origin of a " +
                     std::string(spec_.sharding ? "shard" : "chunk") + " of " + where_ +
                     " (shape " + to_string(spec_.shape) + ", " +
                     (spec_.sharding ? "shards " : "chunks ") + to_string(spec_.unit_shape) + ")");
    IndexVector grid_index = origin;
    for (int a = 0; a < grid_index.rank(); ++a) grid_index[a] /= spec_.unit_shape[a];
    return units_.chunk_box(grid_index);
  }

  // A chunk's stored bytes from its voxels (clipped to the array; the rest is fill).
  Result<std::vector<std::byte>> encode_whole_chunk(const Box& box, ConstArrayView values,
                                                    const ChunkCodec& codec,
                                                    const Shape& chunk_shape) const {
    const std::size_t bytes = std::size_t(num_elements(chunk_shape)) * dtype_size(spec_.dtype);
    if (box.extent == chunk_shape && values.is_contiguous())
      return encode_stored_chunk(codec, spec_.dtype, chunk_shape, {values.data(), bytes});
    thread_local std::vector<std::byte> packed;
    packed.resize(bytes);
    if (!(box.extent == chunk_shape)) std::memset(packed.data(), 0, packed.size());
    const ArrayView full(packed.data(), spec_.dtype, chunk_shape);
    copy_array(values, full.subview({IndexVector::filled(box.rank(), 0), box.extent}));
    return encode_stored_chunk(codec, spec_.dtype, chunk_shape, packed);
  }

  // Inner chunks in C order, all-fill ones left out, then the index (or the index first).
  Result<std::vector<std::byte>> encode_shard(const Box& box, ConstArrayView values) const {
    const ShardingSpec& sharding = *spec_.sharding;
    const Shape per_shard = sharding.chunks_per_shard(spec_.unit_shape);
    const Index count = num_elements(per_shard);
    const std::size_t index_size = sharding.index_bytes(count);
    std::vector<std::uint64_t> entries(std::size_t(count) * 2, kMissingShardEntry);
    std::vector<std::byte> body;
    const std::uint64_t base = sharding.index_at_end ? 0 : index_size;
    Status status;
    Index position = 0;
    for_each_index(Box::from_shape(per_shard), [&](const IndexVector& inner) {
      const Index slot = position++;
      if (!status.ok()) return;
      Box chunk{box.origin, sharding.chunk_shape};
      for (int a = 0; a < chunk.rank(); ++a) chunk.origin[a] += inner[a] * sharding.chunk_shape[a];
      chunk = intersect(chunk, box);
      if (chunk.empty()) return;  // beyond the array's edge
      Box local = chunk;
      for (int a = 0; a < local.rank(); ++a) local.origin[a] -= box.origin[a];
      const ConstArrayView part = values.subview(local);
      if (all_zero(part)) return;
      auto encoded = encode_whole_chunk(chunk, part, sharding.codec, sharding.chunk_shape);
      if (!encoded.ok()) {
        status = encoded.error();
        return;
      }
      entries[std::size_t(slot) * 2] = base + body.size();
      entries[std::size_t(slot) * 2 + 1] = encoded->size();
      body.insert(body.end(), encoded->begin(), encoded->end());
    });
    ZF_RETURN_IF_ERROR(status);
    std::vector<std::byte> index = encode_shard_index(sharding, entries);
    if (sharding.index_at_end) {
      body.insert(body.end(), index.begin(), index.end());
      return body;
    }
    index.insert(index.end(), body.begin(), body.end());
    return index;
  }

  ChunkedOutputParts parts_;
  const ArraySpec& spec_;
  std::string where_;
  ChunkGrid units_;
  ChunkGrid chunks_;
  bool committed_ = false;
};

}  // namespace

Result<std::unique_ptr<OutputDriver>> make_chunked_output(ChunkedOutputParts parts) {
  return std::unique_ptr<OutputDriver>(std::make_unique<ChunkedOutput>(std::move(parts)));
}

}  // namespace zoomflow::storage
