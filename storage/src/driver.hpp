// The interface every format implements behind InputDataset and OutputDataset: one opened array
// to read, one array being written. InputDataset and OutputDataset pick the driver (HDF5, Zarr,
// N5) and forward to it; nothing outside storage/ sees a driver.
#pragma once

#include <memory>
#include <optional>

#include "staging_record.hpp"

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::storage {

class InputDriver {
 public:
  virtual ~InputDriver() = default;
  virtual const DatasetInfo& info() const = 0;
  // As InputDataset::read_box: `box` inside the array, `out` of its shape and dtype; thread-safe.
  virtual Status read_box(const Box& box, ArrayView out) const = 0;
  // As InputDataset::is_unwritten and fill_value.
  virtual Result<bool> is_unwritten(const Box& box) const = 0;
  virtual std::span<const std::byte> fill_value() const = 0;
  // As InputDataset::chunks_decoded.
  virtual std::optional<std::uint64_t> chunks_decoded() const = 0;
};

class OutputDriver {
 public:
  // Without commit(), removes everything temporary.
  virtual ~OutputDriver() = default;
  virtual const Shape& shape() const = 0;
  virtual const Shape& chunk_shape() const = 0;
  virtual const Shape& write_shape() const = 0;
  virtual DType dtype() const = 0;
  virtual bool parallel_writes() const = 0;
  // `origin` is a multiple of write_shape(); `values` the voxels of that unit, clipped.
  virtual Result<EncodedChunk> encode_chunk(const IndexVector& origin,
                                            ConstArrayView values) const = 0;
  virtual Status write_chunk(const EncodedChunk& chunk) = 0;
  virtual Status commit() = 0;
  // The temporary's owner record, or nullptr (a dataset added to an existing HDF5 file).
  virtual const StagingRecord* staging() const { return nullptr; }
};

// What every driver's create() gets: the options with the chunk shape and the compression
// already checked (chunk_shape filled in and clipped to the shape).
struct ResolvedOutput {
  DatasetPath path;
  OutputOptions options;
  StorageFormat format = StorageFormat::kHdf5;
};

Result<std::unique_ptr<InputDriver>> open_hdf5_input(const DatasetPath& path,
                                                     const InputOptions& options);
Result<std::unique_ptr<InputDriver>> open_zarr_input(const DatasetPath& path,
                                                     const InputOptions& options);
Result<std::unique_ptr<InputDriver>> open_n5_input(const DatasetPath& path,
                                                   const InputOptions& options);

// How a driver claims its temporary: OutputOptions' request, resume and role.
inline StagingRequest staging_request(const OutputOptions& options) {
  StagingRequest staging;
  staging.request = options.request;
  staging.resume = options.resume;
  staging.attach = options.role == OutputRole::kWorker;
  return staging;
}

Result<std::unique_ptr<OutputDriver>> create_hdf5_output(const ResolvedOutput& output);
Result<std::unique_ptr<OutputDriver>> create_zarr_output(const ResolvedOutput& output);
Result<std::unique_ptr<OutputDriver>> create_n5_output(const ResolvedOutput& output);

}  // namespace zoomflow::storage
