// One output block of a chain run on its way from input to file, as the block graph's stages
// fill it in turn (only one stage holds it at a time).
#pragma once

#include <cstddef>
#include <vector>

#include "zoomflow/kernels/scalar.hpp"
#include "zoomflow/kernels/strided_view.hpp"
#include "zoomflow/pipeline/block_graph.hpp"
#include "zoomflow/pipeline/buffer_pool.hpp"
#include "zoomflow/storage/output_dataset.hpp"

namespace zoomflow {

struct BlockWork {
  std::size_t sequence = 0;
  Box box;        // the output block, aligned to the output's chunks (or shards)
  Box input_box;  // what the block reads (set by the stage that reads it)
  // The block's input box, when a stage reads it whole (the GPU path; CPU stages read per tile).
  PooledBuffer input_buffer;
  ArrayView input;
  PooledBuffer output_buffer;  // the output block's voxels (none when all_fill)
  ArrayView output;
  // Every voxel the block read holds one value, so the output does too (`constant_value`);
  // `all_fill` when that value is the fill value (0) and nothing needs computing or writing.
  bool constant = false;
  bool all_fill = false;
  Scalar constant_value;
  std::vector<storage::EncodedChunk> chunks;  // compressed; fill chunks are left out
};

using BlockStage = Stage<BlockWork>;

}  // namespace zoomflow
