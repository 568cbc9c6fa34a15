// The HDF5 input driver: direct chunk reads under the HDF5 lock, decoded in the calling thread;
// HDF5's own pipeline (H5Dread) for filters zoomflow does not implement and contiguous data.
// Every size the file claims (extents, chunk dimensions, a chunk's stored size) is checked before
// anything is allocated for it.
#include <algorithm>
#include <array>
#include <cstring>

#include "../array_copy.hpp"
#include "../chunk_cache.hpp"
#include "../chunk_reader.hpp"
#include "../codecs/encoded_size.hpp"
#include "../driver.hpp"
#include "../json_attributes.hpp"
#include "../shape_limits.hpp"
#include "hdf5_attributes.hpp"
#include "hdf5_chunk_decoder.hpp"
#include "hdf5_files.hpp"
#include "hdf5_handle.hpp"
#include "hdf5_multiscale.hpp"
#include "hdf5_types.hpp"
#include "zoomflow/kernels/volume.hpp"
#include "zoomflow/storage/chunk_grid.hpp"

namespace zoomflow::storage {
namespace {

using Hsizes = std::array<hsize_t, kMaxRank>;

Hsizes to_hsizes(const IndexVector& v) {
  Hsizes result{};
  for (int a = 0; a < v.rank(); ++a) result[a] = hsize_t(v[a]);
  return result;
}

// HDF5's chunk cache, used only where HDF5 decodes (filters zoomflow does not implement).
constexpr std::size_t kHdf5CacheSlots = 12421;  // a prime, as HDF5 recommends
// HDF5's metadata cache (chunk index nodes, object headers), per file: its default grows to
// 32 MiB, which a dataset of millions of chunks fills; 4 MiB holds the index nodes one pass of
// reads walks through.
constexpr std::size_t kMetadataCacheBytes = std::size_t(4) << 20;

Result<Shape> read_shape(const Hdf5Lock& lock, hid_t dataset, const std::string& where) {
  const SpaceHandle space(H5Dget_space(dataset));
  if (!space) return hdf5_error(lock, ErrorCode::kIoError, "cannot read the shape of " + where);
  const H5S_class_t cls = H5Sget_simple_extent_type(space.get());
  if (cls == H5S_SCALAR)
    return make_error(ErrorCode::kInvalidArgument,
                      where + " is a scalar (rank 0); zoomflow reads arrays of rank 1 to " +
                          std::to_string(kMaxRank));
  if (cls != H5S_SIMPLE)
    return make_error(ErrorCode::kInvalidArgument, where + " holds no data (null dataspace)");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > kMaxRank)
    return make_error(ErrorCode::kInvalidArgument, where + " has rank " + std::to_string(rank) +
                                                       "; zoomflow reads arrays of rank 1 to " +
                                                       std::to_string(kMaxRank));
  Hsizes dims{};
  if (H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) != rank)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot read the shape of " + where);
  Shape shape;
  for (int a = 0; a < rank; ++a) {
    ZF_ASSIGN_OR_RETURN(const Index extent, checked_extent(dims[a], where));
    shape.push_back(extent);
  }
  return shape;
}

std::vector<FilterInfo> read_filters(const Hdf5Lock&, hid_t dcpl, std::vector<bool>& optional) {
  std::vector<FilterInfo> filters;
  const int count = H5Pget_nfilters(dcpl);
  for (int i = 0; i < count; ++i) {
    FilterInfo filter;
    std::array<unsigned, 64> values{};
    std::size_t n = values.size();
    std::array<char, 256> name{};
    unsigned flags = 0, config = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl, unsigned(i), &flags, &n, values.data(),
                                           name.size(), name.data(), &config);
    filter.id = unsigned(id);
    filter.name = name.data();
    filter.parameters.assign(values.begin(), values.begin() + std::min(n, values.size()));
    filters.push_back(std::move(filter));
    optional.push_back((flags & H5Z_FLAG_OPTIONAL) != 0);
  }
  return filters;
}

std::string filter_text(const FilterInfo& f) {
  return "filter " + std::to_string(f.id) + (f.name.empty() ? "" : " (" + f.name + ")");
}

class Hdf5Input final : public InputDriver {
 public:
  const DatasetInfo& info() const override { return info_; }
  Status read_box(const Box& box, ArrayView out) const override;
  Result<bool> is_unwritten(const Box& box) const override;
  std::span<const std::byte> fill_value() const override { return fill; }
  std::optional<std::uint64_t> chunks_decoded() const override {
    if (!direct) return std::nullopt;  // HDF5 decodes these itself, out of sight
    return cache->loads();
  }

  DatasetInfo info_;
  std::string where;  // "file.h5:/dataset", for messages
  FileHandle file;
  DatasetHandle dataset;  // declared after file: closed first
  TypeHandle memory_type;
  StoredType stored;
  std::vector<bool> optional;  // per filter: H5Z_FLAG_OPTIONAL (a chunk may skip it)
  bool direct = false;         // chunks decoded by zoomflow rather than HDF5
  // A mandatory filter neither zoomflow nor this HDF5 can decode; empty when none. (A missing
  // optional filter is refused only for the chunks that did not skip it.)
  std::string missing_filter;
  ChunkGrid grid;
  std::uint64_t chunk_bytes = 0;       // one decoded chunk
  std::uint64_t max_stored_bytes = 0;  // the most one chunk may take in the file
  std::uint64_t file_bytes = 0;
  // How H5Dget_chunk_storage_size fails for a chunk never written, once seen (see stored_size);
  // used under the HDF5 lock only.
  mutable std::vector<std::string> missing_chunk_signature;
  std::vector<std::byte> fill;  // one element, native byte order
  std::unique_ptr<ChunkCache> cache;

  Result<DecodedChunk> load_chunk(const IndexVector& grid_index) const;
  Result<LoadedChunk> decode_chunk_at(const IndexVector& grid_index) const;
  Result<std::optional<std::uint64_t>> stored_size(const Hdf5Lock& lock,
                                                   const IndexVector& grid_index) const;
  Status read_through_hdf5(const Box& box, ArrayView out) const;
  Status hdf5_read(const Box& box, ArrayView contiguous_out) const;
  Status check_stored_sizes(const Hdf5Lock& lock, const Box& box) const;
  Error name_failing_chunk(const Hdf5Lock& lock, const Box& box) const;
  std::string chunk_name(const IndexVector& grid_index) const;

  Status describe(const Hdf5Lock& lock);
  Status describe_layout(const Hdf5Lock& lock, hid_t dcpl);
  Status read_fill_value(const Hdf5Lock& lock, hid_t dcpl);
};

Status Hdf5Input::describe_layout(const Hdf5Lock& lock, hid_t dcpl) {
  const H5D_layout_t layout = H5Pget_layout(dcpl);
  info_.chunked = layout == H5D_CHUNKED;
  const std::size_t element = dtype_size(info_.dtype);
  ZF_RETURN_IF_ERROR(checked_bytes(info_.shape, element, "shape", where));
  if (info_.chunked) {
    Hsizes dims{};
    const int rank = H5Pget_chunk(dcpl, kMaxRank, dims.data());
    if (rank != info_.shape.rank())
      return hdf5_error(lock, ErrorCode::kIoError, "cannot read the chunk shape of " + where);
    for (int a = 0; a < rank; ++a) {
      ZF_ASSIGN_OR_RETURN(const Index extent, checked_extent(dims[a], where));
      if (extent < 1)
        return make_error(ErrorCode::kInvalidArgument,
                          where + " has a chunk shape with a zero extent");
      info_.chunk_shape.push_back(extent);
    }
    ZF_ASSIGN_OR_RETURN(chunk_bytes,
                        checked_bytes(info_.chunk_shape, element, "chunk shape", where));
    grid = ChunkGrid(info_.shape, info_.chunk_shape);
  }
  info_.filters = read_filters(lock, dcpl, optional);
  return ok_status();
}

Status Hdf5Input::read_fill_value(const Hdf5Lock& lock, hid_t dcpl) {
  fill.assign(dtype_size(info_.dtype), std::byte{0});
  H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
  if (H5Pfill_value_defined(dcpl, &defined) < 0 || defined == H5D_FILL_VALUE_UNDEFINED)
    return ok_status();
  if (H5Pget_fill_value(dcpl, memory_type.get(), fill.data()) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot read the fill value of " + where);
  if (stored.read_unconverted && stored.big_endian) swap_byte_order(fill, fill.size());
  return ok_status();
}

Status Hdf5Input::describe(const Hdf5Lock& lock) {
  const TypeHandle type(H5Dget_type(dataset.get()));
  if (!type)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot read the element type of " + where);
  ZF_ASSIGN_OR_RETURN(stored, describe_stored_type(lock, type.get(), where));
  info_.dtype = stored.dtype;
  memory_type = read_memory_type(lock, type.get(), stored);
  ZF_ASSIGN_OR_RETURN(info_.shape, read_shape(lock, dataset.get(), where));
  const PropertyHandle dcpl(H5Dget_create_plist(dataset.get()));
  if (!dcpl) return hdf5_error(lock, ErrorCode::kIoError, "cannot read the layout of " + where);
  ZF_RETURN_IF_ERROR(describe_layout(lock, dcpl.get()));
  ZF_RETURN_IF_ERROR(read_fill_value(lock, dcpl.get()));
  info_.storage_bytes = H5Dget_storage_size(dataset.get());
  info_.attributes = read_attributes(lock, dataset.get());
  info_.format = StorageFormat::kHdf5;
  set_voxel_size_from_attributes(info_);
  hsize_t size = 0;
  if (H5Fget_filesize(file.get(), &size) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot read the size of " + info_.path.file);
  file_bytes = size;
  // Filters HDF5 cannot apply here (neither built in, registered, nor found as a plugin). A
  // chunk that skipped an optional one (its filter mask says so) reads without it.
  std::vector<bool> available;
  for (std::size_t i = 0; i < info_.filters.size(); ++i) {
    available.push_back(H5Zfilter_avail(H5Z_filter_t(info_.filters[i].id)) > 0);
    if (!available.back() && !optional[i] && missing_filter.empty())
      missing_filter = filter_text(info_.filters[i]);
  }
  direct =
      info_.chunked && stored.raw_compatible && is_decodable_pipeline(info_.filters, available);
  if (info_.chunked) max_stored_bytes = max_stored_chunk_bytes(info_.filters, chunk_bytes);
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<InputDriver>> open_hdf5_input(const DatasetPath& path,
                                                     const InputOptions& options) {
  auto state = std::make_unique<Hdf5Input>();
  const Hdf5Lock lock = lock_hdf5();
  ZF_ASSIGN_OR_RETURN(state->file, open_hdf5_file(lock, path.file, /*writable=*/false));
  {
    // Bounded before the chunk index is first walked.
    H5AC_cache_config_t config{};
    config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Fget_mdc_config(state->file.get(), &config) >= 0) {
      config.set_initial_size = true;
      config.initial_size = std::min(config.initial_size, kMetadataCacheBytes);
      config.max_size = std::max(config.initial_size, kMetadataCacheBytes);
      config.min_size = std::min(config.min_size, config.initial_size);
      H5Fset_mdc_config(state->file.get(), &config);
    }
  }
  // A pyramid (hdf5_multiscale.hpp) opens at its first level when no dataset is named.
  const std::optional<Multiscale> multiscale = read_hdf5_multiscale(lock, state->file.get());
  DatasetPath named = path;
  if (multiscale && (path.dataset.empty() || normalize_dataset_name(path.dataset) == "/"))
    named.dataset = "/" + multiscale->levels.front().first;
  ZF_ASSIGN_OR_RETURN(const std::string name,
                      resolve_input_dataset(lock, state->file.get(), named));
  state->info_.path = {path.file, name};
  state->where = state->info_.path.to_string();
  state->dataset = DatasetHandle(H5Dopen2(state->file.get(), name.c_str(), H5P_DEFAULT));
  if (!state->dataset) return hdf5_error(lock, ErrorCode::kIoError, "cannot open " + state->where);
  ZF_RETURN_IF_ERROR(state->describe(lock));
  if (multiscale &&
      std::any_of(multiscale->levels.begin(), multiscale->levels.end(),
                  [&](const auto& level) { return normalize_dataset_name(level.first) == name; }))
    describe_hdf5_levels(lock, state->file.get(), *multiscale, state->info_);
  if (state->info_.chunked && !state->direct) {
    // HDF5 decodes these chunks: its own chunk cache gets the room zoomflow's would have had.
    const PropertyHandle dapl(H5Pcreate(H5P_DATASET_ACCESS));
    H5Pset_chunk_cache(dapl.get(), kHdf5CacheSlots, std::size_t(options.chunk_cache_bytes), 0.75);
    state->dataset = DatasetHandle(H5Dopen2(state->file.get(), name.c_str(), dapl.get()));
    if (!state->dataset)
      return hdf5_error(lock, ErrorCode::kIoError, "cannot open " + state->where);
  }
  state->cache = std::make_unique<ChunkCache>(state->direct ? options.chunk_cache_bytes : 0);
  return std::unique_ptr<InputDriver>(std::move(state));
}

Status Hdf5Input::read_box(const Box& box, ArrayView out) const {
  if (!missing_filter.empty())
    return make_error(ErrorCode::kUnsupported,
                      where + " is compressed with " + missing_filter +
                          ", which this HDF5 cannot decode; point HDF5_PLUGIN_PATH at a folder "
                          "holding its plugin");
  if (!direct) return read_through_hdf5(box, out);
  return read_box_from_chunks(grid, info_.dtype, fill, box, out,
                              [&](const IndexVector& g) { return load_chunk(g); });
}

std::string Hdf5Input::chunk_name(const IndexVector& grid_index) const {
  return "chunk " + to_string(grid_index) + " (voxels " + to_string(grid.chunk_box(grid_index)) +
         ") of " + where;
}

// The chunk's size in the file, or nullopt when it was never written; a size larger than the
// file, or than any encoding of the chunk could take, is an error (a damaged chunk index).
Result<std::optional<std::uint64_t>> Hdf5Input::stored_size(const Hdf5Lock& lock,
                                                            const IndexVector& grid_index) const {
  const Hsizes offset = to_hsizes(grid.chunk_origin(grid_index));
  // H5Dget_chunk_storage_size looks a chunk up in the index, and fails for a chunk never
  // written. H5Dget_chunk_info_by_coord tells that failure from others (it answers "no address"
  // for a chunk never written), but walks the whole index to say so in HDF5 1.10: once it has
  // confirmed one missing chunk, a later failure that HDF5's error stack places at the same
  // spot (functions, lines, error numbers) is the same "not written", without a walk; anything
  // else is walked again. (A sparse dataset of many chunks was quadratic otherwise.)
  hsize_t size = 0;
  if (H5Dget_chunk_storage_size(dataset.get(), offset.data(), &size) < 0) {
    std::vector<std::string> signature = hdf5_error_signature(lock);
    if (!signature.empty() && signature == missing_chunk_signature)
      return std::optional<std::uint64_t>();
    const std::string failure = hdf5_error_detail(lock);
    haddr_t address = 0;
    unsigned mask = 0;
    hsize_t info_size = 0;
    if (H5Dget_chunk_info_by_coord(dataset.get(), offset.data(), &mask, &address, &info_size) >=
            0 &&
        address == HADDR_UNDEF) {
      missing_chunk_signature = std::move(signature);
      return std::optional<std::uint64_t>();
    }
    return make_error(ErrorCode::kIoError, "cannot look up " + chunk_name(grid_index) +
                                               (failure.empty() ? "" : " (HDF5: " + failure + ")"));
  }
  if (size == 0) return std::optional<std::uint64_t>();  // no chunk index yet: nothing written
  if (size > file_bytes || size > max_stored_bytes)
    return make_error(
        ErrorCode::kCorrupt,
        chunk_name(grid_index) + " is corrupt: its index entry claims " + std::to_string(size) +
            " bytes, more than " +
            (size > file_bytes
                 ? "the file's " + std::to_string(file_bytes)
                 : "any encoding of its " + std::to_string(chunk_bytes) + " bytes can take"));
  return std::optional<std::uint64_t>(size);
}

Result<DecodedChunk> Hdf5Input::load_chunk(const IndexVector& grid_index) const {
  return cache->find_or_load(grid.linear_index(grid_index), chunk_bytes,
                             [&] { return decode_chunk_at(grid_index); });
}

Result<LoadedChunk> Hdf5Input::decode_chunk_at(const IndexVector& grid_index) const {
  std::optional<std::uint64_t> size;
  {
    const Hdf5Lock lock = lock_hdf5();
    ZF_ASSIGN_OR_RETURN(size, stored_size(lock, grid_index));
  }
  if (!size) return LoadedChunk{};
  const std::size_t element_size = dtype_size(info_.dtype);
  auto decoded = ChunkCache::make_chunk(std::size_t(chunk_bytes));
  const Hsizes offset = to_hsizes(grid.chunk_origin(grid_index));
  std::uint32_t filter_mask = 0;
  if (info_.filters.empty() && *size == chunk_bytes) {
    // Stored as it is decoded: read straight into the chunk.
    const Hdf5Lock lock = lock_hdf5();
    if (H5Dread_chunk(dataset.get(), H5P_DEFAULT, offset.data(), &filter_mask, decoded->data()) < 0)
      return hdf5_error(lock, ErrorCode::kIoError, "cannot read " + chunk_name(grid_index));
    if (stored.big_endian) swap_byte_order(decoded->span(), element_size);
    return decoded;
  }
  // Allocated outside the lock and never zero-filled (HDF5 writes every byte); kept per thread
  // for the next chunk unless large.
  constexpr std::size_t kKeptScratch = std::size_t(16) << 20;
  thread_local std::unique_ptr<std::byte[]> raw;
  thread_local std::size_t raw_capacity = 0;
  if (raw_capacity < *size) {
    raw.reset();
    raw = std::make_unique_for_overwrite<std::byte[]>(std::size_t(*size));
    raw_capacity = std::size_t(*size);
  }
  {
    const Hdf5Lock lock = lock_hdf5();
    if (H5Dread_chunk(dataset.get(), H5P_DEFAULT, offset.data(), &filter_mask, raw.get()) < 0)
      return hdf5_error(lock, ErrorCode::kIoError, "cannot read " + chunk_name(grid_index));
  }
  const Status status = decode_chunk(info_.filters, filter_mask, {raw.get(), std::size_t(*size)},
                                     decoded->span(), element_size);
  if (raw_capacity > kKeptScratch) {
    raw.reset();
    raw_capacity = 0;
  }
  if (!status.ok())
    return make_error(
        status.error().code == ErrorCode::kUnsupported ? ErrorCode::kUnsupported
                                                       : ErrorCode::kCorrupt,
        chunk_name(grid_index) +
            (status.error().code == ErrorCode::kUnsupported ? ": " : " is corrupt: ") +
            status.error().message);
  if (stored.big_endian) swap_byte_order(decoded->span(), element_size);
  return decoded;
}

Result<bool> Hdf5Input::is_unwritten(const Box& box) const {
  if (info_.storage_bytes == 0) return true;  // nothing allocated: every voxel is the fill value
  if (!info_.chunked) return false;
  const Hdf5Lock lock = lock_hdf5();
  Status status;
  bool unwritten = true;
  for_each_index(grid.chunks_touching(box), [&](const IndexVector& grid_index) {
    if (!unwritten || !status.ok()) return;
    auto size = stored_size(lock, grid_index);
    if (!size.ok())
      status = size.error();
    else if (*size)
      unwritten = false;
  });
  ZF_RETURN_IF_ERROR(status);
  return unwritten;
}

Status Hdf5Input::read_through_hdf5(const Box& box, ArrayView out) const {
  if (out.is_contiguous()) return hdf5_read(box, out);
  ZF_ASSIGN_OR_RETURN(Volume buffer, Volume::allocate(info_.dtype, box.extent));
  ZF_RETURN_IF_ERROR(hdf5_read(box, buffer.view()));
  copy_array(buffer.view(), out);
  return ok_status();
}

// HDF5 allocates what a chunk's index entry claims before it reads the chunk: the claims of the
// chunks a read touches are checked first.
Status Hdf5Input::check_stored_sizes(const Hdf5Lock& lock, const Box& box) const {
  Status status;
  for_each_index(grid.chunks_touching(box), [&](const IndexVector& grid_index) {
    if (!status.ok()) return;
    auto size = stored_size(lock, grid_index);
    if (!size.ok()) status = size.error();
  });
  return status;
}

Status Hdf5Input::hdf5_read(const Box& box, ArrayView out) const {
  const Hdf5Lock lock = lock_hdf5();
  if (info_.chunked) ZF_RETURN_IF_ERROR(check_stored_sizes(lock, box));
  const Hsizes start = to_hsizes(box.origin);
  const Hsizes count = to_hsizes(box.extent);
  const SpaceHandle file_space(H5Dget_space(dataset.get()));
  const SpaceHandle memory_space(H5Screate_simple(box.rank(), count.data(), nullptr));
  if (!file_space || !memory_space ||
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0)
    return hdf5_error(lock, ErrorCode::kInternal,
                      "cannot select " + to_string(box) + " of " + where);
  if (H5Dread(dataset.get(), memory_type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT,
              out.data()) >= 0) {
    if (stored.read_unconverted && stored.big_endian)
      swap_byte_order({out.data(), std::size_t(box.num_elements()) * dtype_size(info_.dtype)},
                      dtype_size(info_.dtype));
    return ok_status();
  }
  return info_.chunked ? name_failing_chunk(lock, box)
                       : hdf5_error(lock, ErrorCode::kIoError,
                                    "cannot read " + to_string(box) + " of " + where);
}

// After a failed read of a chunked dataset through HDF5's filters: find the chunk that fails.
Error Hdf5Input::name_failing_chunk(const Hdf5Lock& lock, const Box& box) const {
  Error first =
      hdf5_error(lock, ErrorCode::kIoError, "cannot read " + to_string(box) + " of " + where);
  bool found = false;
  std::vector<std::byte> scratch;
  for_each_index(grid.chunks_touching(box), [&](const IndexVector& grid_index) {
    if (found) return;
    const Box chunk = grid.chunk_box(grid_index);
    scratch.resize(std::size_t(chunk.num_elements()) * dtype_size(info_.dtype));
    const Hsizes start = to_hsizes(chunk.origin);
    const Hsizes count = to_hsizes(chunk.extent);
    const SpaceHandle file_space(H5Dget_space(dataset.get()));
    const SpaceHandle memory_space(H5Screate_simple(chunk.rank(), count.data(), nullptr));
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                        nullptr);
    if (H5Dread(dataset.get(), memory_type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT,
                scratch.data()) < 0) {
      const bool needs_missing = [&] {
        for (std::size_t i = 0; i < info_.filters.size(); ++i)
          if (optional[i] && H5Zfilter_avail(H5Z_filter_t(info_.filters[i].id)) <= 0) return true;
        return false;
      }();
      first = hdf5_error(lock, needs_missing ? ErrorCode::kUnsupported : ErrorCode::kCorrupt,
                         "cannot decode " + chunk_name(grid_index) + " with HDF5's filters" +
                             (needs_missing ? " (it may need a filter this HDF5 lacks; point "
                                              "HDF5_PLUGIN_PATH at a folder holding its plugin)"
                                            : ""));
      found = true;
    }
  });
  return first;
}

}  // namespace zoomflow::storage
