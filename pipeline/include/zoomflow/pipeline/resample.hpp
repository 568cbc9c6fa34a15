// The public run API: resample one HDF5 dataset into another, out of core.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/pipeline/backend.hpp"
#include "zoomflow/pipeline/block_plan.hpp"
#include "zoomflow/pipeline/progress.hpp"
#include "zoomflow/storage/compression.hpp"
#include "zoomflow/storage/dataset_path.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow {

struct ResampleOptions {
  int threads = 0;                                      // 0: all hardware threads
  std::uint64_t memory_limit = std::uint64_t(1) << 30;  // bytes
  BlockLayout layout = BlockLayout::kBricks;
  Backend backend = Backend::kAuto;
  ProgressCallback progress;                  // optional
  const std::atomic<bool>* cancel = nullptr;  // optional; set to stop the run

  // CUDA: device bytes for block buffers, all streams together; 0: half the free device memory.
  std::uint64_t gpu_memory_limit = 0;
  // Optional; told once, before the run, why --backend auto resamples on the CPU.
  std::function<void(const std::string&)> notice;
};

struct ResampleReport {
  std::int64_t blocks = 0;
  std::int64_t constant_blocks = 0;  // produced without running the kernel
  std::size_t blocks_in_flight = 0;
  Shape block_shape;
  std::uint64_t output_bytes = 0;   // uncompressed
  std::uint64_t bytes_written = 0;  // compressed chunk bytes
  std::string backend = "cpu";
  double seconds = 0;

  std::string backend_note;  // why --backend auto resampled on the CPU, when it did
  // CUDA only: streams (each with its own device buffers), the most busy at once (2 or more:
  // blocks overlapped on the GPU), and the device memory held for block buffers.
  int gpu_streams = 0;
  int gpu_peak_streams_busy = 0;
  std::uint64_t gpu_memory_bytes = 0;
};

// Streams `source` through read -> resample -> compress -> write into `sink`, which must have
// spec.output_shape and the source's dtype. The caller commits the sink.
Result<ResampleReport> resample(const storage::InputDataset& source, storage::OutputDataset& sink,
                                const ResampleSpec& spec, const ResampleOptions& options);

// Everything a command-line run needs, from paths to a committed output.
struct ResampleRequest {
  storage::DatasetPath input;
  storage::DatasetPath output;
  std::vector<double> zoom;  // one per axis; or empty, and output_shape given
  Shape output_shape;
  Interpolation interpolation = Interpolation::kNearest;
  Grid grid = Grid::kCenters;
  Shape chunk_shape;  // empty: 64 per axis
  storage::CompressionSpec compression;
  bool overwrite = false;
  storage::StorageFormat format = storage::StorageFormat::kAuto;  // kAuto: from the suffix
  Shape shard_shape;  // Zarr v3: voxels per shard; empty: unsharded
};

// Validates the request, opens the input, creates the output under a temporary name, runs,
// and commits; on any failure or interrupt nothing appears at the output's name.
Result<ResampleReport> resample_dataset(const ResampleRequest& request,
                                        const ResampleOptions& options);

}  // namespace zoomflow
