// The stages of a resampling run, as small function objects (internal to pipeline/).
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include "zoomflow/kernels/resample_spec.hpp"
#include "zoomflow/kernels/workspace.hpp"
#include "zoomflow/pipeline/block_stage.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/storage/input_dataset.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow::detail {

// Reads the block's input box and notes whether it holds a single value.
struct ReadInputStage {
  const storage::InputDataset& source;
  const ResampleSpec& spec;
  BufferPool& pool;
  Status operator()(BlockWork& work) const;
};

// Computes the output block on the CPU (or fills it with the constant).
struct ResampleCpuStage {
  const ResampleSpec& spec;
  DType dtype;
  BufferPool& pool;
  tbb::enumerable_thread_specific<Workspace>& workspaces;  // kernel scratch, one per thread
  Status operator()(BlockWork& work) const;
};

// Cuts the block into chunks and compresses each (fill chunks are dropped).
struct CompressStage {
  const storage::OutputDataset& sink;
  Status operator()(BlockWork& work) const;
};

// Stores the compressed chunks (serial: HDF5).
struct WriteStage {
  storage::OutputDataset& sink;
  Status operator()(BlockWork& work) const;
};

}  // namespace zoomflow::detail
