// The order in which a pyramid run visits the full-resolution volume: units (blocks of level 0
// that map to whole voxels of every level) taken depth first through nested cells, one cell
// size per level (the footprint of that level's write unit in level-0 voxels, rounded up to a
// multiple of the finer cell), so that the units that fill any level's write unit come one after
// another. A run then holds about one partly filled write unit per level, whatever the volume.
//
//   PyramidOrder order(shape, unit, {chunk footprint of level 0, of level 1, ...});
//   for (Index k = 0; k < order.count(); ++k) { Box unit = order.block(k); ... }
//
// Like BlockGrid it is never listed: block(k) steps from block(k - 1) (any other k walks from
// the start, which is correct but slow).
#pragma once

#include <mutex>
#include <vector>

#include "zoomflow/kernels/index_vector.hpp"

namespace zoomflow {

class PyramidOrder {
 public:
  // `unit` and `footprints` have positive extents, one per axis of `shape`.
  PyramidOrder(const Shape& shape, const Shape& unit, const std::vector<Shape>& footprints);
  PyramidOrder(const PyramidOrder& other);

  const Shape& shape() const { return shape_; }
  const Shape& unit_shape() const { return cells_.front(); }
  // The nested cells, finest (the unit) first; each a multiple of the one before, per axis.
  const std::vector<Shape>& cells() const { return cells_; }
  Index count() const { return count_; }
  // Unit number k of the traversal, clipped to the shape.
  Box block(Index k) const;

 private:
  // The unit after the one at `origin` (false after the last).
  bool advance(IndexVector& origin) const;

  Shape shape_;
  std::vector<Shape> cells_;
  Index count_ = 0;
  mutable std::mutex mutex_;
  mutable Index last_ = -1;
  mutable IndexVector last_origin_;
};

}  // namespace zoomflow
