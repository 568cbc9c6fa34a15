// A dataset being written: chunked, compressed chunk by chunk on any thread, stored with direct
// chunk writes, and given its final name only by commit().
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

namespace zoomflow::storage {

// The HDF5 file format of a new output file (files that exist keep theirs).
enum class FileFormat {
  kEarliest,  // readable by every HDF5 1.8+ library; chunks indexed by a version-1 B-tree
  kV110,      // HDF5 1.10+ only; a fixed-array chunk index (H5Pset_libver_bounds(V110, V110))
};

struct OutputOptions {
  Shape shape;
  DType dtype = DType::kUInt8;
  Shape chunk_shape;  // empty: 64 per axis, clipped to the shape
  CompressionSpec compression;
  bool overwrite = false;  // replace an existing dataset (or the file's only dataset)
  // Attributes copied from this input; voxel sizes (element_size_um, resolution, voxel_size,
  // spacing) multiplied per axis by voxel_size_scale (input length / output length).
  const InputDataset* copy_attributes_from = nullptr;
  std::vector<double> voxel_size_scale;
  // Written as string attributes, e.g. zoomflow_zoom, zoomflow_order, zoomflow_version.
  std::map<std::string, std::string> provenance;
  // See docs/storage.md for the measurement behind the default.
  FileFormat file_format = FileFormat::kEarliest;
};

// One chunk's bytes as they go to disk (already compressed); empty when the chunk is all fill
// value and is not written.
struct EncodedChunk {
  IndexVector chunk_origin;  // in voxels, a multiple of the chunk shape
  std::vector<std::byte> bytes;
  bool is_fill() const { return bytes.empty(); }
};

class OutputDataset {
 public:
  // Checks everything that can be checked up front (output folder exists, dataset free or
  // --overwrite, input not the same dataset), then creates a temporary: a new file under a
  // temporary name in the same folder, or an unlinked dataset in an existing file.
  static Result<OutputDataset> create(const DatasetPath& path, const OutputOptions& options);

  OutputDataset(OutputDataset&&) noexcept;
  OutputDataset& operator=(OutputDataset&&) noexcept;
  // Without commit(), removes the temporary: nothing appears at the final name.
  ~OutputDataset();

  const Shape& shape() const;
  const Shape& chunk_shape() const;
  DType dtype() const;

  // Compresses one chunk: `values` holds the voxels of the chunk at chunk_origin, clipped to the
  // dataset (edge chunks are padded with the fill value). Thread-safe, touches no HDF5 state.
  Result<EncodedChunk> encode_chunk(const IndexVector& chunk_origin, ConstArrayView values) const;

  // Stores an encoded chunk with a direct chunk write (nothing for a fill chunk). Thread-safe
  // (HDF5 is entered by one thread at a time), meant for one writer thread.
  Status write_chunk(const EncodedChunk& chunk);

  // Flushes, closes and moves the result to its final name.
  Status commit();

 private:
  struct State;
  explicit OutputDataset(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace zoomflow::storage
