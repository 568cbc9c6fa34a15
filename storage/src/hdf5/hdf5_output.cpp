// The HDF5 output driver: chunks encoded on any thread, stored with direct chunk writes under
// the HDF5 lock; a new file under a temporary name, a new dataset in an existing file anonymous
// until commit().
#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>

#include "../array_copy.hpp"
#include "../driver.hpp"
#include "../file_system.hpp"
#include "../input_path.hpp"
#include "../json_attributes.hpp"
#include "hdf5_attributes.hpp"
#include "hdf5_files.hpp"
#include "hdf5_handle.hpp"
#include "hdf5_types.hpp"
#include "zoomflow/storage/chunk_grid.hpp"
#include "zoomflow/storage/deflate_codec.hpp"
#include "zoomflow/storage/interrupt.hpp"
#include "zoomflow/storage/zstd_codec.hpp"
#include "zoomflow/version.hpp"

namespace zoomflow::storage {
namespace {

namespace fs = std::filesystem;
using Hsizes = std::array<hsize_t, kMaxRank>;

Hsizes to_hsizes(const IndexVector& v) {
  Hsizes result{};
  for (int a = 0; a < v.rank(); ++a) result[a] = hsize_t(v[a]);
  return result;
}

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

}  // namespace

class Hdf5Output final : public OutputDriver {
 public:
  const Shape& shape() const override { return grid.shape(); }
  const Shape& chunk_shape() const override { return grid.chunk_shape(); }
  const Shape& write_shape() const override { return grid.chunk_shape(); }
  DType dtype() const override { return dtype_; }
  bool parallel_writes() const override { return false; }
  Result<EncodedChunk> encode_chunk(const IndexVector& origin,
                                    ConstArrayView values) const override;
  Status write_chunk(const EncodedChunk& chunk) override;
  Status commit() override;
  const StagingRecord* staging() const override { return staging_record.get(); }

  DatasetPath path;   // the final place
  std::string where;  // "file.h5:/dataset", for messages
  DType dtype_ = DType::kUInt8;
  CompressionSpec compression;
  ChunkGrid grid;
  std::size_t chunk_bytes = 0;
  fs::path temporary_file;                        // empty when writing into an existing file
  std::unique_ptr<StagingRecord> staging_record;  // the new file's owner record
  bool replace_existing = false;
  bool committed = false;
  FileHandle file;
  DatasetHandle dataset;  // declared after file: closed first

  Hdf5Output() = default;
  Hdf5Output(const Hdf5Output&) = delete;
  Hdf5Output& operator=(const Hdf5Output&) = delete;
  ~Hdf5Output() override {
    if (!committed) abandon();
  }

  // Closes everything; removes the temporary file, or lets HDF5 free the unlinked dataset.
  void abandon() {
    dataset.reset();
    file.reset();
    if (!temporary_file.empty()) remove_quietly(temporary_file);
    if (staging_record) staging_record->discard();
  }

  Status check_existing_place(const Hdf5Lock& lock, bool overwrite);
  Status prepare_existing_file(const OutputOptions& options);
  Status prepare_new_file(const OutputOptions& options);
  Status create_dataset(const Hdf5Lock& lock, const OutputOptions& options, bool anonymous);
  Status write_attributes(const Hdf5Lock& lock, const OutputOptions& options);
  Status link_into_file(const Hdf5Lock& lock);
  Status check_chunk_origin(const IndexVector& origin) const;
  Result<std::vector<std::byte>> compress(std::span<const std::byte> raw) const;
};

namespace {

// The dataset an output path names; empty means the existing file's only dataset.
Result<std::string> resolve_output_name(const DatasetPath& path) {
  if (!path.dataset.empty()) {
    const std::string name = normalize_dataset_name(path.dataset);
    if (name == "/") return invalid(path.to_string() + " names the root group, not a dataset");
    return name;
  }
  const Hdf5Lock lock = lock_hdf5();
  if (is_hdf5_file(lock, path.file)) {
    ZF_ASSIGN_OR_RETURN(const FileHandle file, open_hdf5_file(lock, path.file, false));
    const std::vector<std::string> names = list_datasets(lock, file.get());
    if (names.size() == 1) return names[0];
  }
  return invalid("name the output dataset: " + path.file + ":/DATASET");
}

Status check_folder(const std::string& file) {
  const fs::path folder = folder_of(file);
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    return invalid("cannot write " + file + ": the folder " + folder.string() + " does not exist");
  return ok_status();
}

Status check_not_input(const DatasetPath& path, const OutputOptions& options) {
  if (options.copy_attributes_from == nullptr) return ok_status();
  const DatasetPath& input = options.copy_attributes_from->info().path;
  if (!same_file(input.file, path.file)) return ok_status();
  if (normalize_dataset_name(input.dataset) == normalize_dataset_name(path.dataset))
    return invalid(path.to_string() +
                   " is the input dataset; write the output elsewhere "
                   "(zoomflow never replaces its input)");
  // HDF5 cannot open for writing a file it holds open read-only in the same process.
  return invalid("cannot add " + path.dataset + " to " + path.file + " while reading " +
                 input.to_string() + " from it; write the output to another file");
}

}  // namespace

// What the existing file holds at the output's place, checked through a read-only handle: a
// refused output never opens the file for writing.
Status Hdf5Output::check_existing_place(const Hdf5Lock& lock, bool overwrite) {
  ZF_ASSIGN_OR_RETURN(const FileHandle reader, open_hdf5_file(lock, path.file, /*writable=*/false));
  switch (object_kind(lock, reader.get(), path.dataset)) {
    case ObjectKind::kDataset:
      if (!overwrite)
        return make_error(ErrorCode::kAlreadyExists,
                          where + " already exists; pass --overwrite to replace it");
      replace_existing = true;
      break;
    case ObjectKind::kGroup:
    case ObjectKind::kOther:
      return invalid(where + " exists and is not a dataset; zoomflow does not replace it");
    case ObjectKind::kMissing:
      break;
  }
  // Every existing component on the way must be a group, or linking at commit would fail.
  for (std::size_t pos = path.dataset.find('/', 1); pos != std::string::npos;
       pos = path.dataset.find('/', pos + 1)) {
    const std::string prefix = path.dataset.substr(0, pos);
    const ObjectKind kind = object_kind(lock, reader.get(), prefix);
    if (kind != ObjectKind::kMissing && kind != ObjectKind::kGroup)
      return invalid("cannot create " + where + ": " + prefix + " is not a group");
  }
  return ok_status();
}

Status Hdf5Output::prepare_existing_file(const OutputOptions& options) {
  const Hdf5Lock lock = lock_hdf5();
  // Unreadable or unwritable, a FIFO, a device: said as such, before the signature is looked at.
  ZF_RETURN_IF_ERROR(check_input_path(path.file, /*writable=*/true));
  if (!is_hdf5_file(lock, path.file))
    return make_error(ErrorCode::kAlreadyExists,
                      path.file + " exists and is not an HDF5 file; zoomflow does not replace it");
  ZF_RETURN_IF_ERROR(check_existing_place(lock, options.overwrite));
  auto opened = open_hdf5_file(lock, path.file, /*writable=*/true);
  if (!opened.ok())
    return make_error(
        opened.error().code,
        opened.error().message +
            "; if it is open elsewhere (or is this run's input), write to another file");
  file = std::move(opened).value();
  return create_dataset(lock, options, /*anonymous=*/true);
}

Status Hdf5Output::prepare_new_file(const OutputOptions& options) {
  // Not resumable: a random name, and an owner record that lets a later run remove it if this
  // process is killed.
  StagingRequest staging;
  staging.final_path = path.file;
  ZF_ASSIGN_OR_RETURN(staging_record, StagingRecord::claim(staging));
  temporary_file = staging_record->temporary();
  const Hdf5Lock lock = lock_hdf5();
  const PropertyHandle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (options.file_format == FileFormat::kV110)
    H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110);
  file = FileHandle(H5Fcreate(temporary_file.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()));
  if (!file)
    return hdf5_error(
        lock, ErrorCode::kIoError,
        "cannot create " + temporary_file.string() + " (the temporary for " + path.file + ")");
  return create_dataset(lock, options, /*anonymous=*/false);
}

Status Hdf5Output::create_dataset(const Hdf5Lock& lock, const OutputOptions& options,
                                  bool anonymous) {
  const Hsizes dims = to_hsizes(grid.shape());
  const Hsizes chunk_dims = to_hsizes(grid.chunk_shape());
  const int rank = grid.shape().rank();
  const SpaceHandle space(H5Screate_simple(rank, dims.data(), nullptr));
  const TypeHandle stored = stored_type_for(lock, dtype_);
  const TypeHandle memory = memory_type_for(lock, dtype_);
  const PropertyHandle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  const std::array<std::byte, 8> zero{};
  bool ok = H5Pset_chunk(dcpl.get(), rank, chunk_dims.data()) >= 0 &&
            H5Pset_fill_value(dcpl.get(), memory.get(), zero.data()) >= 0;
  if (compression.codec == Codec::kZstd) {
    const unsigned level = unsigned(compression.level);
    ok = ok && H5Pset_filter(dcpl.get(), kZstdFilterId, H5Z_FLAG_MANDATORY, 1, &level) >= 0;
  } else if (compression.codec == Codec::kDeflate) {
    ok = ok && H5Pset_deflate(dcpl.get(), unsigned(compression.level)) >= 0;
  }
  if (!ok) return hdf5_error(lock, ErrorCode::kInternal, "cannot describe the layout of " + where);
  if (anonymous) {
    dataset = DatasetHandle(
        H5Dcreate_anon(file.get(), stored.get(), space.get(), dcpl.get(), H5P_DEFAULT));
  } else {
    const PropertyHandle lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    dataset = DatasetHandle(H5Dcreate2(file.get(), path.dataset.c_str(), stored.get(), space.get(),
                                       lcpl.get(), dcpl.get(), H5P_DEFAULT));
  }
  if (!dataset) return hdf5_error(lock, ErrorCode::kIoError, "cannot create " + where);
  return write_attributes(lock, options);
}

Status Hdf5Output::write_attributes(const Hdf5Lock& lock, const OutputOptions& options) {
  if (options.copy_attributes_from != nullptr &&
      options.copy_attributes_from->info().format != StorageFormat::kHdf5) {
    // From another format: through the attributes' JSON form.
    const nlohmann::json attributes =
        copied_attributes(options.copy_attributes_from->info(), options.voxel_size_scale,
                          StorageFormat::kHdf5, /*add_voxel_size=*/true);
    for (const auto& [name, value] : attributes.items())
      ZF_RETURN_IF_ERROR(write_json_attribute(lock, dataset.get(), name, value));
  } else if (options.copy_attributes_from != nullptr) {
    const InputDataset& input = *options.copy_attributes_from;
    const DatasetPath& from = input.info().path;
    // Attributes are read through a handle of our own: the input keeps its handles to itself.
    auto source_file = open_hdf5_file(lock, from.file, false);
    if (!source_file.ok()) return source_file.error();
    const DatasetHandle source(H5Dopen2(source_file->get(), from.dataset.c_str(), H5P_DEFAULT));
    if (!source) return hdf5_error(lock, ErrorCode::kIoError, "cannot open " + from.to_string());
    const Status copied =
        copy_attributes(lock, source.get(), dataset.get(), options.voxel_size_scale);
    if (!copied.ok())
      return make_error(copied.error().code, "copying the attributes of " + from.to_string() +
                                                 " to " + where + ": " + copied.error().message);
  }
  std::map<std::string, std::string> provenance = options.provenance;
  provenance.try_emplace("zoomflow_version", ZOOMFLOW_VERSION);
  for (const auto& [name, value] : provenance)
    ZF_RETURN_IF_ERROR(write_string_attribute(lock, dataset.get(), name, value));
  return ok_status();
}

Result<std::unique_ptr<OutputDriver>> create_hdf5_output(const ResolvedOutput& output) {
  const OutputOptions& options = output.options;
  const DatasetPath& path = output.path;
  auto state = std::make_unique<Hdf5Output>();
  const Shape& chunks = options.chunk_shape;
  ZF_ASSIGN_OR_RETURN(const std::string name, resolve_output_name(path));
  state->path = {path.file, name};
  state->where = state->path.to_string();
  state->dtype_ = options.dtype;
  state->compression = options.compression;
  state->grid = ChunkGrid(options.shape, chunks);
  state->chunk_bytes = std::size_t(num_elements(chunks)) * dtype_size(options.dtype);
  ZF_RETURN_IF_ERROR(check_folder(path.file));
  ZF_RETURN_IF_ERROR(check_not_input(state->path, options));
  std::error_code ec;
  if (fs::exists(path.file, ec)) {
    ZF_RETURN_IF_ERROR(state->prepare_existing_file(options));
  } else {
    ZF_RETURN_IF_ERROR(state->prepare_new_file(options));
  }
  return std::unique_ptr<OutputDriver>(std::move(state));
}

Status Hdf5Output::check_chunk_origin(const IndexVector& origin) const {
  bool ok = origin.rank() == grid.shape().rank();
  for (int a = 0; ok && a < origin.rank(); ++a)
    ok = origin[a] >= 0 && origin[a] < grid.shape()[a] && origin[a] % grid.chunk_shape()[a] == 0;
  if (!ok)
    return invalid(to_string(origin) + " is not the origin of a chunk of " + where + " (shape " +
                   to_string(grid.shape()) + ", chunks " + to_string(grid.chunk_shape()) + ")");
  return ok_status();
}

Result<std::vector<std::byte>> Hdf5Output::compress(std::span<const std::byte> raw) const {
  if (compression.codec == Codec::kNone) return std::vector<std::byte>(raw.begin(), raw.end());
  thread_local std::vector<std::byte> scratch;
  const bool zstd = compression.codec == Codec::kZstd;
  scratch.resize(zstd ? zstd_compress_bound(raw.size()) : deflate_compress_bound(raw.size()));
  ZF_ASSIGN_OR_RETURN(const std::size_t size,
                      zstd ? zstd_compress(raw, scratch, compression.level)
                           : deflate_compress(raw, scratch, compression.level));
  return std::vector<std::byte>(scratch.begin(), scratch.begin() + std::ptrdiff_t(size));
}

Result<EncodedChunk> Hdf5Output::encode_chunk(const IndexVector& chunk_origin,
                                              ConstArrayView values) const {
  const Hdf5Output& s = *this;
  ZF_RETURN_IF_ERROR(s.check_chunk_origin(chunk_origin));
  IndexVector grid_index = chunk_origin;
  for (int a = 0; a < grid_index.rank(); ++a) grid_index[a] /= s.grid.chunk_shape()[a];
  const Box box = s.grid.chunk_box(grid_index);
  if (values.dtype() != s.dtype_ || !(values.shape() == box.extent))
    return invalid("chunk " + to_string(box) + " of " + s.where + " needs a " +
                   std::string(dtype_name(s.dtype_)) + " array of shape " + to_string(box.extent) +
                   ", got " + std::string(dtype_name(values.dtype())) + " " +
                   to_string(values.shape()));
  EncodedChunk chunk{chunk_origin, {}};
  if (all_zero(values)) return chunk;  // the fill value: not written
  const bool whole = box.extent == s.grid.chunk_shape();
  if (whole && values.is_contiguous()) {
    ZF_ASSIGN_OR_RETURN(chunk.bytes, s.compress({values.data(), s.chunk_bytes}));
    return chunk;
  }
  // Gather into a full chunk; an edge chunk's padding is the fill value.
  thread_local std::vector<std::byte> packed;
  packed.resize(s.chunk_bytes);
  if (!whole) std::memset(packed.data(), 0, packed.size());
  const ArrayView full(packed.data(), s.dtype_, s.grid.chunk_shape());
  copy_array(values, full.subview({IndexVector::filled(box.rank(), 0), box.extent}));
  ZF_ASSIGN_OR_RETURN(chunk.bytes, s.compress(packed));
  return chunk;
}

Status Hdf5Output::write_chunk(const EncodedChunk& chunk) {
  Hdf5Output& s = *this;
  if (s.committed) return invalid(s.where + " is already committed; no more chunks");
  if (interrupt_requested())
    return make_error(ErrorCode::kCancelled, "interrupted by signal " +
                                                 std::to_string(interrupt_signal()) +
                                                 " while writing " + s.where);
  ZF_RETURN_IF_ERROR(s.check_chunk_origin(chunk.chunk_origin));
  if (chunk.is_fill()) return ok_status();
  if (s.compression.codec == Codec::kNone && chunk.bytes.size() != s.chunk_bytes)
    return invalid("an uncompressed chunk of " + s.where + " holds " +
                   std::to_string(s.chunk_bytes) + " bytes, not " +
                   std::to_string(chunk.bytes.size()));
  const Hsizes offset = to_hsizes(chunk.chunk_origin);
  const Hdf5Lock lock = lock_hdf5();
  if (H5Dwrite_chunk(s.dataset.get(), H5P_DEFAULT, 0, offset.data(), chunk.bytes.size(),
                     chunk.bytes.data()) < 0)
    return hdf5_error(
        lock, ErrorCode::kIoError,
        "cannot write the chunk at " + to_string(chunk.chunk_origin) + " of " + s.where);
  return ok_status();
}

// Existing file: link the finished dataset under a temporary name, then swap it into place, so
// that a failure before the swap leaves the old dataset (if any) untouched.
Status Hdf5Output::link_into_file(const Hdf5Lock& lock) {
  const PropertyHandle lcpl(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  const std::string staging = path.dataset + ".zoomflow-tmp";
  if (H5Olink(dataset.get(), file.get(), staging.c_str(), lcpl.get(), H5P_DEFAULT) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot link the new dataset into " + path.file);
  if (replace_existing && H5Ldelete(file.get(), path.dataset.c_str(), H5P_DEFAULT) < 0) {
    H5Ldelete(file.get(), staging.c_str(), H5P_DEFAULT);
    return hdf5_error(lock, ErrorCode::kIoError, "cannot replace " + where);
  }
  if (H5Lmove(file.get(), staging.c_str(), file.get(), path.dataset.c_str(), H5P_DEFAULT,
              H5P_DEFAULT) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot name the new dataset " + where);
  return ok_status();
}

Status Hdf5Output::commit() {
  Hdf5Output& s = *this;
  if (s.committed) return ok_status();
  if (interrupt_requested())
    return make_error(ErrorCode::kCancelled, "interrupted by signal " +
                                                 std::to_string(interrupt_signal()) + "; " +
                                                 s.where + " was not written");
  {
    const Hdf5Lock lock = lock_hdf5();
    if (s.temporary_file.empty()) ZF_RETURN_IF_ERROR(s.link_into_file(lock));
    const bool closed =
        s.dataset.reset() && H5Fflush(s.file.get(), H5F_SCOPE_GLOBAL) >= 0 && s.file.reset();
    if (!closed) return hdf5_error(lock, ErrorCode::kIoError, "cannot finish writing " + s.where);
  }
  if (!s.temporary_file.empty()) {
    ZF_RETURN_IF_ERROR(move_into_place(s.temporary_file, s.path.file));
    s.staging_record->finish();
  }
  s.committed = true;
  return ok_status();
}

}  // namespace zoomflow::storage
