// The HDF5 input driver: direct chunk reads under the HDF5 lock, decoded in the calling thread;
// HDF5's own pipeline (H5Dread) for filters zoomflow does not implement and contiguous data.
#include <array>

#include "../array_copy.hpp"
#include "../chunk_cache.hpp"
#include "../chunk_reader.hpp"
#include "../driver.hpp"
#include "../json_attributes.hpp"
#include "hdf5_attributes.hpp"
#include "hdf5_chunk_decoder.hpp"
#include "hdf5_files.hpp"
#include "hdf5_handle.hpp"
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

Result<Shape> read_shape(hid_t dataset, const std::string& where) {
  const SpaceHandle space(H5Dget_space(dataset));
  if (!space) return hdf5_error(ErrorCode::kIoError, "cannot read the shape of " + where);
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
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Shape shape;
  for (int a = 0; a < rank; ++a) shape.push_back(Index(dims[a]));
  return shape;
}

std::vector<FilterInfo> read_filters(hid_t dcpl) {
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
  }
  return filters;
}

// A filter HDF5 cannot apply here (neither built in, registered, nor found as a plugin).
std::string find_missing_filter(const std::vector<FilterInfo>& filters) {
  for (const FilterInfo& f : filters)
    if (H5Zfilter_avail(H5Z_filter_t(f.id)) <= 0)
      return "filter " + std::to_string(f.id) + (f.name.empty() ? "" : " (" + f.name + ")");
  return {};
}

class Hdf5Input final : public InputDriver {
 public:
  const DatasetInfo& info() const override { return info_; }
  Status read_box(const Box& box, ArrayView out) const override;

  DatasetInfo info_;
  std::string where;  // "file.h5:/dataset", for messages
  FileHandle file;
  DatasetHandle dataset;  // declared after file: closed first
  TypeHandle memory_type;
  StoredType stored;
  bool direct = false;         // chunks decoded by zoomflow rather than HDF5
  std::string missing_filter;  // a filter neither zoomflow nor this HDF5 can decode
  ChunkGrid grid;
  std::vector<std::byte> fill;  // one element, native byte order
  std::unique_ptr<ChunkCache> cache;

  Result<DecodedChunk> load_chunk(const IndexVector& grid_index) const;
  Status read_through_hdf5(const Box& box, ArrayView out) const;
  Status hdf5_read(const Box& box, ArrayView contiguous_out) const;
  Error name_failing_chunk(const Box& box) const;
  std::string chunk_name(const IndexVector& grid_index) const;

  Status describe();
  Status describe_layout(hid_t dcpl);
  Status read_fill_value(hid_t dcpl);
};

Status Hdf5Input::describe_layout(hid_t dcpl) {
  const H5D_layout_t layout = H5Pget_layout(dcpl);
  info_.chunked = layout == H5D_CHUNKED;
  if (info_.chunked) {
    Hsizes dims{};
    const int rank = H5Pget_chunk(dcpl, kMaxRank, dims.data());
    if (rank != info_.shape.rank())
      return hdf5_error(ErrorCode::kIoError, "cannot read the chunk shape of " + where);
    for (int a = 0; a < rank; ++a) info_.chunk_shape.push_back(Index(dims[a]));
    grid = ChunkGrid(info_.shape, info_.chunk_shape);
  }
  info_.filters = read_filters(dcpl);
  return ok_status();
}

Status Hdf5Input::read_fill_value(hid_t dcpl) {
  fill.assign(dtype_size(info_.dtype), std::byte{0});
  H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
  if (H5Pfill_value_defined(dcpl, &defined) < 0 || defined == H5D_FILL_VALUE_UNDEFINED)
    return ok_status();
  if (H5Pget_fill_value(dcpl, memory_type.get(), fill.data()) < 0)
    return hdf5_error(ErrorCode::kIoError, "cannot read the fill value of " + where);
  return ok_status();
}

Status Hdf5Input::describe() {
  const TypeHandle type(H5Dget_type(dataset.get()));
  if (!type) return hdf5_error(ErrorCode::kIoError, "cannot read the element type of " + where);
  ZF_ASSIGN_OR_RETURN(stored, describe_stored_type(type.get(), where));
  info_.dtype = stored.dtype;
  memory_type = read_memory_type(type.get(), info_.dtype);
  ZF_ASSIGN_OR_RETURN(info_.shape, read_shape(dataset.get(), where));
  const PropertyHandle dcpl(H5Dget_create_plist(dataset.get()));
  if (!dcpl) return hdf5_error(ErrorCode::kIoError, "cannot read the layout of " + where);
  ZF_RETURN_IF_ERROR(describe_layout(dcpl.get()));
  ZF_RETURN_IF_ERROR(read_fill_value(dcpl.get()));
  info_.storage_bytes = H5Dget_storage_size(dataset.get());
  info_.attributes = read_attributes(dataset.get());
  info_.format = StorageFormat::kHdf5;
  set_voxel_size_from_attributes(info_);
  direct = info_.chunked && stored.raw_compatible && is_decodable_pipeline(info_.filters);
  if (!direct) missing_filter = find_missing_filter(info_.filters);
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<InputDriver>> open_hdf5_input(const DatasetPath& path,
                                                     const InputOptions& options) {
  auto state = std::make_unique<Hdf5Input>();
  const Hdf5Lock lock = lock_hdf5();
  ZF_ASSIGN_OR_RETURN(state->file, open_hdf5_file(path.file, /*writable=*/false));
  ZF_ASSIGN_OR_RETURN(const std::string name, resolve_input_dataset(state->file.get(), path));
  state->info_.path = {path.file, name};
  state->where = state->info_.path.to_string();
  const PropertyHandle dapl(H5Pcreate(H5P_DATASET_ACCESS));
  H5Pset_chunk_cache(dapl.get(), kHdf5CacheSlots, std::size_t(options.chunk_cache_bytes), 0.75);
  state->dataset = DatasetHandle(H5Dopen2(state->file.get(), name.c_str(), dapl.get()));
  if (!state->dataset) return hdf5_error(ErrorCode::kIoError, "cannot open " + state->where);
  ZF_RETURN_IF_ERROR(state->describe());
  state->cache = std::make_unique<ChunkCache>(options.chunk_cache_bytes);
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

Result<DecodedChunk> Hdf5Input::load_chunk(const IndexVector& grid_index) const {
  const Index key = grid.linear_index(grid_index);
  if (DecodedChunk hit = cache->find(key)) return hit;
  const Hsizes offset = to_hsizes(grid.chunk_origin(grid_index));
  std::vector<std::byte> raw;
  std::uint32_t filter_mask = 0;
  {
    const Hdf5Lock lock = lock_hdf5();
    // H5Dget_chunk_info_by_coord walks the whole chunk index in HDF5 1.10 (quadratic over a
    // dataset); H5Dget_chunk_storage_size looks the chunk up, and fails for one never written.
    hsize_t size = 0;
    if (H5Dget_chunk_storage_size(dataset.get(), offset.data(), &size) < 0) {
      if (hdf5_error_detail() == "chunk storage is not allocated") return DecodedChunk{};
      return hdf5_error(ErrorCode::kIoError, "cannot look up " + chunk_name(grid_index));
    }
    if (size == 0) return DecodedChunk{};  // no chunk index yet: nothing written
    raw.resize(size);
    if (H5Dread_chunk(dataset.get(), H5P_DEFAULT, offset.data(), &filter_mask, raw.data()) < 0)
      return hdf5_error(ErrorCode::kIoError, "cannot read " + chunk_name(grid_index));
  }
  const std::size_t element_size = dtype_size(info_.dtype);
  auto decoded =
      std::make_shared<ChunkBytes>(std::size_t(num_elements(info_.chunk_shape)) * element_size);
  const Status status =
      decode_chunk(info_.filters, filter_mask, raw, decoded->span(), element_size);
  if (!status.ok())
    return make_error(ErrorCode::kCorrupt,
                      chunk_name(grid_index) + " is corrupt: " + status.error().message);
  if (stored.big_endian) swap_byte_order(decoded->span(), element_size);
  cache->insert(key, decoded);
  return DecodedChunk(std::move(decoded));
}

Status Hdf5Input::read_through_hdf5(const Box& box, ArrayView out) const {
  if (out.is_contiguous()) return hdf5_read(box, out);
  ZF_ASSIGN_OR_RETURN(Volume buffer, Volume::allocate(info_.dtype, box.extent));
  ZF_RETURN_IF_ERROR(hdf5_read(box, buffer.view()));
  copy_array(buffer.view(), out);
  return ok_status();
}

Status Hdf5Input::hdf5_read(const Box& box, ArrayView out) const {
  const Hdf5Lock lock = lock_hdf5();
  const Hsizes start = to_hsizes(box.origin);
  const Hsizes count = to_hsizes(box.extent);
  const SpaceHandle file_space(H5Dget_space(dataset.get()));
  const SpaceHandle memory_space(H5Screate_simple(box.rank(), count.data(), nullptr));
  if (!file_space || !memory_space ||
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0)
    return hdf5_error(ErrorCode::kInternal, "cannot select " + to_string(box) + " of " + where);
  if (H5Dread(dataset.get(), memory_type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT,
              out.data()) >= 0)
    return ok_status();
  return info_.chunked
             ? name_failing_chunk(box)
             : hdf5_error(ErrorCode::kIoError, "cannot read " + to_string(box) + " of " + where);
}

// After a failed read of a chunked dataset through HDF5's filters: find the chunk that fails.
Error Hdf5Input::name_failing_chunk(const Box& box) const {
  Error first = hdf5_error(ErrorCode::kIoError, "cannot read " + to_string(box) + " of " + where);
  bool found = false;
  for_each_index(grid.chunks_touching(box), [&](const IndexVector& grid_index) {
    if (found) return;
    const Box chunk = grid.chunk_box(grid_index);
    std::vector<std::byte> scratch(std::size_t(chunk.num_elements()) * dtype_size(info_.dtype));
    const Hsizes start = to_hsizes(chunk.origin);
    const Hsizes count = to_hsizes(chunk.extent);
    const SpaceHandle file_space(H5Dget_space(dataset.get()));
    const SpaceHandle memory_space(H5Screate_simple(chunk.rank(), count.data(), nullptr));
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                        nullptr);
    if (H5Dread(dataset.get(), memory_type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT,
                scratch.data()) < 0) {
      first = hdf5_error(ErrorCode::kCorrupt,
                         "cannot decode " + chunk_name(grid_index) + " with HDF5's filters");
      found = true;
    }
  });
  return first;
}

}  // namespace zoomflow::storage
