// What flows through the graph (one block's work) and the one interface every stage has.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/pipeline/block_plan.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow {

// One block on its way from input to file. Stages fill it in turn; only one stage holds it at
// a time, so stages share no mutable state through it.
struct BlockWork {
  std::size_t sequence = 0;
  PlannedBlock block;
  PooledBuffer input_buffer;   // the input box's voxels
  PooledBuffer output_buffer;  // the output block's voxels
  ArrayView input;
  ArrayView output;
  // The input box holds one value, so the output does too; `all_fill` when it is the fill
  // value (0) and nothing needs computing or writing.
  bool constant = false;
  bool all_fill = false;
  std::vector<storage::EncodedChunk> chunks;
};

using BlockWorkPtr = std::shared_ptr<BlockWork>;

// A stage: a small function object applied to each block. Serial stages see one block at a
// time (HDF5 writes); the others run on every thread.
struct BlockStage {
  std::string name;
  bool serial = false;
  std::function<Status(BlockWork&)> process;
};

}  // namespace zoomflow
