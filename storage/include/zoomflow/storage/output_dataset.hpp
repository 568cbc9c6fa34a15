// A dataset being written (HDF5, Zarr v2, Zarr v3 optionally sharded, N5): chunked, compressed
// chunk by chunk (or shard by shard) on any thread, stored, and given its final name only by
// commit().
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "zoomflow/kernels/dtype.hpp"
#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/dataset_path.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/storage_format.hpp"

namespace zoomflow::storage {

// The HDF5 file format of a new output file (files that exist keep theirs).
enum class FileFormat {
  kEarliest,  // readable by every HDF5 1.8+ library; chunks indexed by a version-1 B-tree
  kV110,      // HDF5 1.10+ only; a fixed-array chunk index (H5Pset_libver_bounds(V110, V110))
};

// Who writes an output that several processes (the ranks of an MPI job) share.
enum class OutputRole {
  kOwner,   // makes the temporary, and commits it (or removes it)
  kWorker,  // writes units into the owner's temporary (same path and options, made first by the
            // owner); never commits, never removes anything
};

struct OutputOptions {
  Shape shape;
  DType dtype = DType::kUInt8;
  Shape chunk_shape;  // empty: 64 per axis, clipped to the shape
  CompressionSpec compression;
  // kAuto: an existing container's own format, else from the suffix (.zarr: Zarr v3, .n5: N5,
  // anything else: HDF5).
  StorageFormat format = StorageFormat::kAuto;
  // Zarr v3 only: voxels per shard, a multiple of the chunk shape per axis; empty: no sharding.
  Shape shard_shape;
  bool overwrite = false;  // replace an existing dataset (or the file's only dataset)
  // Attributes copied from this input; voxel sizes (element_size_um, resolution, voxel_size,
  // spacing, pixelResolution, OME-Zarr scale) multiplied per axis by voxel_size_scale (input
  // length / output length).
  const InputDataset* copy_attributes_from = nullptr;
  std::vector<double> voxel_size_scale;
  // Written as string attributes, e.g. zoomflow_zoom, zoomflow_order, zoomflow_version.
  std::map<std::string, std::string> provenance;
  // See docs/storage.md for the measurement behind the default.
  FileFormat file_format = FileFormat::kEarliest;
  // Zarr and N5: the request the output is written for, as "key=value" lines (input, chain,
  // output options). Its hash names the hidden temporary, so that an interrupted run's temporary
  // is found again; empty: a random name. HDF5 outputs ignore it.
  std::string request;
  // Continue the temporary of an interrupted run of the same request (a request that differs is
  // refused), and keep this run's temporary if it fails too.
  bool resume = false;
  OutputRole role = OutputRole::kOwner;
};

// One write unit's bytes as they go to disk (a chunk, or a whole shard of a sharded Zarr v3 array,
// already compressed); empty when it is all fill value and is not written.
struct EncodedChunk {
  IndexVector chunk_origin;  // in voxels, a multiple of write_shape()
  std::vector<std::byte> bytes;
  bool is_fill() const { return bytes.empty(); }
};

// The format create() would write `path` in: an existing container's own, else `requested`, else
// from the suffix; an error when `requested` contradicts an existing container.
Result<StorageFormat> resolve_output_format(const DatasetPath& path, StorageFormat requested);

class OutputDataset {
 public:
  // Checks everything that can be checked up front (output folder exists, dataset free or
  // --overwrite, input not the same dataset), then creates a temporary: a new file or store
  // under a hidden temporary name in the same folder, an unlinked dataset in an existing HDF5
  // file, or a new array's folder under a hidden temporary name in an existing store.
  static Result<OutputDataset> create(const DatasetPath& path, const OutputOptions& options);

  OutputDataset(OutputDataset&&) noexcept;
  OutputDataset& operator=(OutputDataset&&) noexcept;
  // Without commit(), removes the temporary: nothing appears at the final name.
  ~OutputDataset();

  const Shape& shape() const;
  const Shape& chunk_shape() const;
  DType dtype() const;
  // The unit encode_chunk and write_chunk take: a whole shard of a sharded Zarr v3 array, else
  // one chunk. Blocks of a run are aligned to it.
  const Shape& write_shape() const;
  // True for Zarr and N5: write_chunk may be called from many threads at once (each unit is its
  // own file; no lock). False for HDF5 (one thread at a time).
  bool parallel_writes() const;

  // Compresses one write unit: `values` holds its voxels, clipped to the dataset (edge chunks
  // are padded with the fill value). Thread-safe, touches no HDF5 state.
  Result<EncodedChunk> encode_chunk(const IndexVector& chunk_origin, ConstArrayView values) const;

  // Stores an encoded unit (nothing for a fill unit): an HDF5 direct chunk write, or a Zarr/N5
  // chunk or shard file written under a temporary name and renamed. Thread-safe.
  Status write_chunk(const EncodedChunk& chunk);

  // Writes the metadata (a new array's last), closes and moves the result to its final name.
  // The owner's only (kInvalidArgument for a worker).
  Status commit();

  // The temporary is an interrupted run's, continued (OutputOptions::resume).
  bool resumed() const;
  // A resumable output's folder beside its temporary for the run's own records (removed with the
  // temporary, never part of the output); empty for other outputs.
  std::string record_folder() const;
  // One line on what was done before writing (temporaries of killed runs removed, a run resumed),
  // or empty. The owner's only.
  const std::string& notice() const;

 private:
  struct State;
  explicit OutputDataset(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zoomflow::storage
