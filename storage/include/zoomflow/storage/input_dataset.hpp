// A dataset opened for reading (an HDF5 dataset, a Zarr v2/v3 or N5 array, an OME-Zarr image
// at one of its levels): its description, and any box of it read into a view.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/storage/dataset_path.hpp"
#include "zoomflow/storage/storage_format.hpp"

namespace zoomflow::storage {

struct FilterInfo {
  unsigned id = 0;
  std::string name;
  std::vector<unsigned> parameters;
};

struct AttributeInfo {
  std::string name;
  std::string value_text;  // printable form, for `zoomflow info`
  // The value as JSON text (numbers, strings, arrays of them, objects); empty when it has no
  // JSON form (an HDF5 compound, a reference). Copied through this form between formats.
  std::string value_json;
};

// One axis as OME-Zarr describes it (name, "space"/"time"/"channel", unit), or a Zarr v3
// dimension name alone.
struct AxisInfo {
  std::string name;
  std::string type;
  std::string unit;
};

// One level of an OME-Zarr multiscale image.
struct LevelInfo {
  std::string path;           // relative to the image group, e.g. "0"
  Shape shape;                // empty when the level cannot be read
  std::vector<double> scale;  // its scale transform, per axis
};

struct DatasetInfo {
  DatasetPath path;
  Shape shape;
  DType dtype = DType::kUInt8;
  bool chunked = false;
  Shape chunk_shape;  // empty unless chunked
  std::vector<FilterInfo> filters;
  std::vector<AttributeInfo> attributes;
  std::uint64_t storage_bytes = 0;  // bytes on disk

  StorageFormat format = StorageFormat::kHdf5;
  Shape shard_shape;  // Zarr v3 sharded arrays: voxels per shard; else empty
  std::vector<std::string>
      codecs;              // Zarr and N5: the codec chain, e.g. "bytes(little)", "zstd(level=1)"
  std::string fill_value;  // Zarr and N5: as the metadata gives it, printable
  std::vector<AxisInfo> axes;  // OME-Zarr axes, or Zarr v3 dimension_names; else empty
  // Physical size of a voxel per axis (C order) and its unit, from OME-Zarr's scale transform or
  // a voxel-size attribute (element_size_um, resolution, voxel_size, spacing, pixelResolution).
  std::vector<double> voxel_size;
  std::string voxel_unit;
  // OME-Zarr: the image group this array is a level of, its version and all its levels.
  std::string ome_group;
  std::string ome_version;
  std::vector<LevelInfo> levels;
};

struct InputOptions {
  // Decoded input chunks kept for reuse by neighbouring reads, and the bound on every decoded
  // chunk alive (kept, being decoded, or held by a reader): a read waits for room rather than
  // exceed it (a chunk larger than the whole cache is read alone). 0: no cache and no bound
  // (each reader decodes what it reads).
  std::uint64_t chunk_cache_bytes = std::uint64_t(256) << 20;
  // A dataset whose one decoded chunk (with its bookkeeping) exceeds this is refused when it
  // opens, with a line naming a --memory-limit that works (the pipeline passes its chunk cache,
  // a quarter of the limit, at most 256 MiB). 0: any chunk.
  std::uint64_t max_chunk_bytes = 0;
  // Zarr and N5: sum the sizes of the array's files into info().storage_bytes (a walk of its
  // folder, which `zoomflow info` asks for and runs do not need). HDF5 always knows it.
  bool measure_storage = false;
};

class InputDataset {
 public:
  static Result<InputDataset> open(const DatasetPath& path, const InputOptions& options = {});

  InputDataset(InputDataset&&) noexcept;
  InputDataset& operator=(InputDataset&&) noexcept;
  ~InputDataset();

  const DatasetInfo& info() const;

  // Reads `box` (inside the dataset) into `out` (shape box.extent, dtype info().dtype).
  // Thread-safe: chunks are decoded in the calling thread, so many readers decode at once; HDF5
  // is entered by one thread at a time, Zarr and N5 chunk files are read with no lock at all.
  // Chunks never written read as the fill value. A corrupt chunk fails with a message naming
  // the file or store, the dataset and the chunk.
  Status read_box(const Box& box, ArrayView out) const;

  // True when no chunk that `box` (inside the dataset) touches was ever written, so that every
  // voxel of it reads as fill_value(): a reader may use that value without reading. Asks the
  // format's chunk index or the store (one look-up per chunk, stopping at the first written
  // one), never visits a voxel. False when the format cannot tell cheaply (contiguous HDF5
  // datasets that were written).
  Result<bool> is_unwritten(const Box& box) const;

  // The value never-written voxels read as: one element of info().dtype, native byte order.
  std::span<const std::byte> fill_value() const;

  // Input chunks decoded so far by every reader of this dataset (a chunk served from the cache
  // counts once; one evicted and needed again counts again; never-written chunks not at all).
  // None where HDF5 itself decodes (filters zoomflow does not implement, contiguous layouts).
  std::optional<std::uint64_t> chunks_decoded() const;

 private:
  struct State;
  explicit InputDataset(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zoomflow::storage
