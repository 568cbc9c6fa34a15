// Cutting an output into blocks aligned to its chunk grid, each with the input box it needs.
#pragma once

#include <vector>

#include "zoomflow/kernels/index_vector.hpp"
#include "zoomflow/kernels/resample_spec.hpp"

namespace zoomflow {

// How blocks are shaped: bricks of chunks along every axis, or slabs that span every axis but
// the first (the z-slab splitting users write by hand).
enum class BlockLayout { kBricks, kSlabs };

struct PlannedBlock {
  Box output_box;  // aligned to the chunk grid, clipped to the output
  Box input_box;   // required_input_box(spec, output_box)
};

struct BlockPlan {
  Shape chunk_shape;
  Shape block_shape;  // a whole number of chunks per axis
  std::vector<PlannedBlock> blocks;
};

// Default chunk shape: 64 per axis, clipped to the shape.
Shape default_chunk_shape(const Shape& shape);

// The block shape for a target output block size in bytes: whole chunks, grown along the
// innermost axes first (bricks) or the whole cross-section per chunk row (slabs).
Shape choose_block_shape(const Shape& output_shape, const Shape& chunk_shape,
                         std::size_t element_bytes, std::size_t target_bytes, BlockLayout layout);

// Blocks in C order of the block grid, so consecutive blocks share input chunks.
BlockPlan plan_blocks(const ResampleSpec& spec, const Shape& chunk_shape, const Shape& block_shape);

}  // namespace zoomflow
