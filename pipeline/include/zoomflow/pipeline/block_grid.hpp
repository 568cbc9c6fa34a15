// Cutting a volume into blocks of whole units (chunks or shards), visited in C order of the
// block grid so that consecutive blocks share input chunks. The grid is never listed: block k is
// computed when it is asked for, so a plan of 10^9 blocks costs nothing to hold.
//
//   BlockGrid grid(shape, block_shape);
//   for (Index k = 0; k < grid.count(); ++k) { Box box = grid.block(k); ... }
#pragma once

#include <cstddef>
#include <cstdint>

#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow {

class BlockGrid {
 public:
  BlockGrid() = default;
  // `block_shape` has positive extents (clipped to the shape; an empty shape has no block).
  BlockGrid(const Shape& shape, const Shape& block_shape);

  const Shape& shape() const { return shape_; }
  const Shape& block_shape() const { return block_shape_; }
  const Shape& grid_shape() const { return grid_shape_; }  // blocks per axis
  Index count() const { return num_elements(grid_shape_); }

  // Block number `linear` (C order over the grid), clipped to the shape.
  Box block(Index linear) const;
  // The block at grid position `position` (one index per axis).
  Box block_at(const IndexVector& position) const;
  // The number of the block whose origin is `origin` (a block's origin, as block() gives).
  Index index_of(const IndexVector& origin) const;

 private:
  Shape shape_;
  Shape block_shape_;
  Shape grid_shape_;
};

// How blocks are shaped: bricks of units grown along the innermost axes first, or slabs that
// span every axis but the first (the z-slab splitting users write by hand).
enum class BlockLayout { kBricks, kSlabs };

// Default chunk shape: 64 per axis, clipped to the shape.
Shape default_chunk_shape(const Shape& shape);

// A block shape of whole units (`unit`, e.g. the output chunk or shard) holding about
// `target_bytes` of `element_bytes` elements: units are stacked along the first axis first, then
// the next, until the target is reached (bricks), or whole cross-sections per unit row (slabs).
// Never smaller than one unit.
Shape choose_block_shape(const Shape& shape, const Shape& unit, std::size_t element_bytes,
                         std::uint64_t target_bytes, BlockLayout layout = BlockLayout::kBricks);

}  // namespace zoomflow
