#include "zoomflow/storage/output_dataset.hpp"

#include <algorithm>
#include <filesystem>

#include "driver.hpp"
#include "file_system.hpp"
#include "staging_record.hpp"
#include "zoomflow/storage/zstd_codec.hpp"

namespace zoomflow::storage {
namespace {

namespace fs = std::filesystem;

constexpr Index kDefaultChunkExtent = 64;
constexpr std::uint64_t kMaxChunkBytes = std::uint64_t(1) << 32;  // HDF5's limit on one chunk
constexpr std::uint64_t kMaxBloscBytes = (std::uint64_t(1) << 31) - 256;  // c-blosc's limit

Error invalid(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

Result<Shape> choose_chunk_shape(const OutputOptions& options) {
  const Shape& shape = options.shape;
  if (shape.rank() < 1) return invalid("the output shape is empty; give at least one axis");
  for (Index e : shape)
    if (e < 1) return invalid("the output shape " + to_string(shape) + " must be positive");
  Shape chunks = options.chunk_shape;
  if (chunks.rank() == 0) chunks = Shape::filled(shape.rank(), kDefaultChunkExtent);
  if (chunks.rank() != shape.rank())
    return invalid("chunk shape " + to_string(chunks) + " needs one extent per axis of " +
                   to_string(shape));
  for (int a = 0; a < shape.rank(); ++a) {
    if (chunks[a] < 1) return invalid("chunk shape " + to_string(chunks) + " must be positive");
    chunks[a] = std::min(chunks[a], shape[a]);
  }
  if (std::uint64_t(num_elements(chunks)) * dtype_size(options.dtype) >= kMaxChunkBytes)
    return invalid("chunk shape " + to_string(chunks) + " makes chunks of 4 GiB or more");
  return chunks;
}

// The shard shape, a multiple of the chunks, clipped to the chunks the array has per axis.
Result<Shape> choose_shard_shape(const OutputOptions& options, const Shape& chunks,
                                 StorageFormat format) {
  const Shape& shards = options.shard_shape;
  if (shards.rank() == 0) return Shape{};
  if (format != StorageFormat::kZarr3)
    return invalid("--shards needs a Zarr v3 output; " + std::string(storage_format_title(format)) +
                   " has no shards");
  if (shards.rank() != chunks.rank())
    return invalid("--shards " + to_string(shards) + " needs one extent per axis of " +
                   to_string(options.shape));
  Shape result = shards;
  for (int a = 0; a < shards.rank(); ++a) {
    if (shards[a] < 1 || shards[a] % chunks[a] != 0)
      return invalid("--shards " + to_string(shards) + " must be a multiple of the chunk shape " +
                     to_string(chunks) + " on every axis");
    const Index whole = (options.shape[a] + chunks[a] - 1) / chunks[a] * chunks[a];
    result[a] = std::min(shards[a], whole);
  }
  return result;
}

Status check_compression(const CompressionSpec& spec, StorageFormat format, const Shape& unit,
                         DType dtype) {
  const bool ok = spec.codec == Codec::kNone || spec.codec == Codec::kBlosc ||
                  (spec.codec == Codec::kZstd && spec.level >= zstd_min_level() &&
                   spec.level <= zstd_max_level()) ||
                  (spec.codec == Codec::kDeflate && spec.level >= 0 && spec.level <= 9);
  if (!ok) return invalid("compression level out of range: " + spec.to_string());
  if (spec.codec == Codec::kBlosc && format == StorageFormat::kHdf5)
    return invalid("--compression " + spec.to_string() +
                   ": HDF5 outputs take zstd, gzip or none (blosc is for Zarr and N5)");
  if (spec.codec == Codec::kBlosc &&
      std::uint64_t(num_elements(unit)) * dtype_size(dtype) > kMaxBloscBytes)
    return invalid("chunk shape " + to_string(unit) +
                   " makes chunks of 2 GiB or more, which blosc cannot hold");
  return ok_status();
}

bool same_dataset(const DatasetPath& a, const DatasetPath& b) {
  std::error_code ec;
  if (!fs::equivalent(a.file, b.file, ec)) return false;
  const auto normal = [](std::string name) {
    name.erase(0, name.find_first_not_of('/'));
    while (!name.empty() && name.back() == '/') name.pop_back();
    return name;
  };
  return normal(a.dataset) == normal(b.dataset);
}

// An existing container keeps its format; a new one takes --format or its suffix.
Result<StorageFormat> choose_format(const DatasetPath& path, StorageFormat requested) {
  std::error_code ec;
  if (!fs::exists(path.file, ec))
    return requested == StorageFormat::kAuto ? format_from_suffix(path.file) : requested;
  if (!fs::is_directory(path.file, ec)) {
    if (requested != StorageFormat::kAuto && requested != StorageFormat::kHdf5)
      return make_error(ErrorCode::kAlreadyExists, path.file + " exists and is a file; --format " +
                                                       std::string(storage_format_name(requested)) +
                                                       " writes a folder: name another output");
    return StorageFormat::kHdf5;
  }
  auto found = detect_storage_format(path.file);
  if (!found.ok()) {
    if (fs::is_empty(path.file, ec))
      return make_error(ErrorCode::kAlreadyExists,
                        path.file + " exists (an empty folder); remove it or name another output");
    return make_error(ErrorCode::kAlreadyExists,
                      path.file +
                          " exists and is not a Zarr or N5 store; zoomflow does not "
                          "write into it");
  }
  if (requested != StorageFormat::kAuto && requested != *found)
    return make_error(ErrorCode::kInvalidArgument,
                      path.file + " is a " + std::string(storage_format_title(*found)) +
                          " store; --format " + std::string(storage_format_name(requested)) +
                          " cannot write into it");
  return *found;
}

}  // namespace

Result<StorageFormat> resolve_output_format(const DatasetPath& path, StorageFormat requested) {
  return choose_format(path, requested);
}

struct OutputDataset::State {
  std::unique_ptr<OutputDriver> driver;
  bool worker = false;
  std::string notice;
};

namespace {

// The notes of the driver's claim, and of a sweep of the output's own folder when the temporary
// is elsewhere (inside an existing store) or there is none (a dataset added to an HDF5 file).
std::string creation_notice(const DatasetPath& path, const StagingRecord* record, bool resume) {
  std::string notice = record != nullptr ? record->notice() : std::string();
  const fs::path folder = fs::absolute(folder_of(path.file)).lexically_normal();
  if (record != nullptr && record->folder().parent_path() == folder) return notice;
  const std::string swept = sweep_stale_temporaries(
      folder, resume ? fs::absolute(path.file).lexically_normal() : fs::path());
  if (notice.empty()) return swept;
  return swept.empty() ? notice : notice + "; " + swept;
}

}  // namespace

Result<OutputDataset> OutputDataset::create(const DatasetPath& path, const OutputOptions& options) {
  ResolvedOutput output{path, options, StorageFormat::kHdf5};
  ZF_ASSIGN_OR_RETURN(output.options.chunk_shape, choose_chunk_shape(options));
  {
    const fs::path folder = fs::path(path.file).parent_path();
    std::error_code ec;
    if (!folder.empty() && !fs::is_directory(folder, ec))
      return invalid("cannot write " + path.file + ": the folder " + folder.string() +
                     " does not exist");
  }
  if (options.copy_attributes_from != nullptr &&
      same_dataset(options.copy_attributes_from->info().path, path))
    return invalid(path.to_string() +
                   " is the input dataset; write the output elsewhere (zoomflow never replaces "
                   "its input)");
  ZF_ASSIGN_OR_RETURN(output.format, choose_format(path, options.format));
  output.options.format = output.format;
  ZF_ASSIGN_OR_RETURN(output.options.shard_shape,
                      choose_shard_shape(options, output.options.chunk_shape, output.format));
  const Shape& unit = output.options.chunk_shape;
  ZF_RETURN_IF_ERROR(check_compression(options.compression, output.format, unit, options.dtype));
  auto state = std::make_unique<State>();
  state->worker = options.role == OutputRole::kWorker;
  if (state->worker && output.format == StorageFormat::kHdf5)
    return invalid("an HDF5 output cannot be written by several processes; write Zarr or N5");
  switch (output.format) {
    case StorageFormat::kZarr2:
    case StorageFormat::kZarr3: {
      ZF_ASSIGN_OR_RETURN(state->driver, create_zarr_output(output));
      break;
    }
    case StorageFormat::kN5: {
      ZF_ASSIGN_OR_RETURN(state->driver, create_n5_output(output));
      break;
    }
    case StorageFormat::kAuto:
    case StorageFormat::kHdf5: {
      ZF_ASSIGN_OR_RETURN(state->driver, create_hdf5_output(output));
      break;
    }
  }
  if (!state->worker)
    state->notice = creation_notice(path, state->driver->staging(), options.resume);
  return OutputDataset(std::move(state));
}

OutputDataset::OutputDataset(std::unique_ptr<State> state) : state_(std::move(state)) {}
OutputDataset::OutputDataset(OutputDataset&&) noexcept = default;
OutputDataset& OutputDataset::operator=(OutputDataset&&) noexcept = default;
OutputDataset::~OutputDataset() = default;

const Shape& OutputDataset::shape() const {
  return state_->driver->shape();
}
const Shape& OutputDataset::chunk_shape() const {
  return state_->driver->chunk_shape();
}
const Shape& OutputDataset::write_shape() const {
  return state_->driver->write_shape();
}
DType OutputDataset::dtype() const {
  return state_->driver->dtype();
}
bool OutputDataset::parallel_writes() const {
  return state_->driver->parallel_writes();
}

Result<EncodedChunk> OutputDataset::encode_chunk(const IndexVector& chunk_origin,
                                                 ConstArrayView values) const {
  return state_->driver->encode_chunk(chunk_origin, values);
}

Status OutputDataset::write_chunk(const EncodedChunk& chunk) {
  return state_->driver->write_chunk(chunk);
}

Status OutputDataset::commit() {
  if (state_->worker)
    return invalid("a worker's output is committed by its owner, not by the worker");
  return state_->driver->commit();
}

bool OutputDataset::resumed() const {
  const StagingRecord* record = state_->driver->staging();
  return record != nullptr && record->resumed();
}

std::string OutputDataset::record_folder() const {
  const StagingRecord* record = state_->driver->staging();
  return record != nullptr && record->resumable() ? record->folder().string() : std::string();
}

const std::string& OutputDataset::notice() const {
  return state_->notice;
}

}  // namespace zoomflow::storage
